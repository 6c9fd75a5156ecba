// Byte classes of RFC 9110 §5.6 as lookup tables, so the parser tests a byte with one array read.

/** tchar (RFC 9110 §5.6.2): the bytes allowed in a token (method, header name). */
export const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** Bytes allowed in a request-target: visible ASCII (RFC 9112 §3.2; no CTL, no SP, no obs-text). */
export const TARGET = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TARGET[c] = 1;

/** field-vchar / SP / HTAB / obs-text (RFC 9110 §5.5): anything but CTLs other than HTAB, and DEL. */
export const FIELD_VALUE = new Uint8Array(256);
for (let c = 0x20; c <= 0xff; c++) FIELD_VALUE[c] = 1;
FIELD_VALUE[0x7f] = 0;
FIELD_VALUE[0x09] = 1;

/** Hex digit values; 255 for non-hex. */
export const HEX = new Uint8Array(256).fill(255);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;
export const COLON = 58;

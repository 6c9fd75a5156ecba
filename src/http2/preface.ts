// Recognises the HTTP/2 connection preface (RFC 9113 §3.4) at the start of a cleartext connection.

/** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": what a client speaking h2 with prior knowledge sends first. */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Bytes that tell the preface from any HTTP/1.x method ("PRI " vs "POST", "PUT ", "PATCH"). */
export const DECISIVE_BYTES = 4;

/** Whether `data` starts like the preface, as far as it goes (callers wait for DECISIVE_BYTES). */
export function startsLikePreface(data: Buffer): boolean {
  const length = Math.min(data.length, PREFACE.length);
  return data.compare(PREFACE, 0, length, 0, length) === 0;
}

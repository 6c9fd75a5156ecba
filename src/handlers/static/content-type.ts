// Content-Type of a file from its name: the `mime/lite` table and what nginx adds to it, config
// overrides, charset=utf-8 for text.
import type MimeTable from 'mime/lite';
import { extname } from 'node:path';
import { MORE_TYPES } from './more-types.js';

/**
 * The extensions most sites serve, with the type `mime/lite` gives them (a test checks): a file
 * with one of these is named without loading that table (three modules and ~1,200 entries
 * built when it loads, a cost the first answer of `porta serve` would otherwise pay).
 */
export const COMMON_TYPES: ReadonlyMap<string, string> = new Map([
  ['html', 'text/html'],
  ['htm', 'text/html'],
  ['css', 'text/css'],
  ['js', 'text/javascript'],
  ['mjs', 'text/javascript'],
  ['json', 'application/json'],
  ['map', 'application/json'],
  ['txt', 'text/plain'],
  ['svg', 'image/svg+xml'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['webp', 'image/webp'],
  ['avif', 'image/avif'],
  ['woff', 'font/woff'],
  ['woff2', 'font/woff2'],
  ['wasm', 'application/wasm'],
]);

let mime: typeof MimeTable | null = null;
let mimeLoading: Promise<void> | null = null;

/** Loads the `mime/lite` table once (a file whose extension COMMON_TYPES lacks needs it). */
export function loadMimeTable(): Promise<void> {
  mimeLoading ??= import('mime/lite').then((loaded) => {
    mime = loaded.default;
  });
  return mimeLoading;
}

/** Whether naming this file's type needs the table loaded first (see loadMimeTable). */
export function needsMimeTable(fileName: string): boolean {
  return mime === null && commonType(fileName) === undefined;
}

/** A name with an extension (no path, not a dot file): its type when COMMON_TYPES has it. */
function commonType(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || fileName.includes('/') || fileName.includes('\\')) return undefined;
  return COMMON_TYPES.get(fileName.slice(dot + 1).toLowerCase());
}

/** How a handler names media types: overrides by extension (".ext" lowercased) and a fallback. */
export interface ContentTypes {
  readonly overrides: ReadonlyMap<string, string>;
  readonly fallback: string;
}

/**
 * The Content-Type field value for a file name: an override for its extension, else its type by
 * name, else the fallback. Text types get `; charset=utf-8` so browsers never guess. Runs once
 * per file, not per request.
 */
export function contentTypeFor(fileName: string, types: ContentTypes): string {
  const extension = extname(fileName).toLowerCase();
  return withCharset(types.overrides.get(extension) ?? typeByName(fileName) ?? types.fallback);
}

/**
 * The standard types (`mime/lite`: `.wasm`, `.mjs`, `.avif`, `.webmanifest` included), then the
 * ones nginx's mime.types adds (`.ico`, `.docx`, `.m3u8`, `.7z`...), as the full `mime` table
 * names them; null when neither knows the name. Unless needsMimeTable says no, call
 * loadMimeTable first.
 */
export function typeByName(fileName: string): string | null {
  const common = commonType(fileName);
  if (common !== undefined) return common;
  if (mime === null) throw new Error(`loadMimeTable() first: ${fileName} needs the mime table`);
  const type = mime.getType(fileName);
  if (type !== null) return type;
  // As `mime` reads a name: the text after the last dot; a bare word is an extension itself,
  // unless it is the last part of a path.
  const name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  if (dot < 1 && name.length < fileName.length) return null;
  return MORE_TYPES.get(name.slice(dot + 1).toLowerCase()) ?? null;
}

/** The media type without parameters (`text/html; charset=utf-8` -> `text/html`), lowercased. */
export function mediaTypeOf(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** Adds `charset=utf-8` to textual types that have no charset parameter yet. */
export function withCharset(type: string): string {
  if (type.includes(';')) return type;
  return isTextual(type.toLowerCase()) ? `${type}; charset=utf-8` : type;
}

function isTextual(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'application/javascript' ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'image/svg+xml' ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

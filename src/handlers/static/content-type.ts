// Content-Type of a file from its name: the `mime/lite` table and what nginx adds to it, config
// overrides, charset=utf-8 for text.
import mime from 'mime/lite';
import { extname } from 'node:path';
import { MORE_TYPES } from './more-types.js';

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
 * names them; null when neither knows the name.
 */
export function typeByName(fileName: string): string | null {
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

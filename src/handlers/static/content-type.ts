// Content-Type of a file from its name: the `mime` table, config overrides, charset=utf-8 for text.
import mime from 'mime';
import { extname } from 'node:path';

/** How a handler names media types: overrides by extension (".ext" lowercased) and a fallback. */
export interface ContentTypes {
  readonly overrides: ReadonlyMap<string, string>;
  readonly fallback: string;
}

/**
 * The Content-Type field value for a file name: an override for its extension, else the `mime`
 * library's type (`.wasm`, `.mjs`, `.avif`, `.webmanifest` included), else the fallback. Text
 * types get `; charset=utf-8` so browsers never guess. Runs once per file, not per request.
 */
export function contentTypeFor(fileName: string, types: ContentTypes): string {
  const extension = extname(fileName).toLowerCase();
  const type = types.overrides.get(extension) ?? mime.getType(fileName) ?? types.fallback;
  return withCharset(type);
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

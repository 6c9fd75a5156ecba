// Directory listings: read a folder (policy applied), sort it, render it as an HTML page or JSON.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One listed name. */
export interface ListingItem {
  readonly name: string;
  readonly directory: boolean;
  readonly size: number;
  /** Modification time, milliseconds since the epoch. */
  readonly modified: number;
}

/** Most names listed; beyond it the page says it was cut (Caddy's browse has a file_limit too). */
export const MAX_LISTED = 10_000;

// Made on the first listing: building ICU's collator costs ~20 ms and maps ~2 MiB of ICU data
// into the process; a server start, or a server that lists no folder, should not pay it.
let collator: Intl.Collator | null = null;

/** Names in a reader's order: case aside, numbers by value. */
function nameOrder(): Intl.Collator {
  collator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return collator;
}

/**
 * Reads a directory for listing: hidden names left out unless `showHidden` (a leading
 * `.well-known` at the root stays visible, as it is served), symlinks that may not be followed
 * left out, anything unreadable skipped. Sorted folders first, then by name, numbers in order.
 */
export async function readListing(
  directory: string,
  options: {
    readonly showHidden: boolean;
    readonly atRoot: boolean;
    readonly isAllowed: (realPath: string) => boolean;
  },
): Promise<{ items: ListingItem[]; truncated: boolean }> {
  const dirents = await readdir(directory, { withFileTypes: true });
  const visible = dirents.filter(
    (d) =>
      options.showHidden || !d.name.startsWith('.') || (options.atRoot && d.name === '.well-known'),
  );
  const truncated = visible.length > MAX_LISTED;
  const chosen = truncated ? visible.slice(0, MAX_LISTED) : visible;
  const read = await Promise.all(
    chosen.map(async (dirent): Promise<ListingItem | null> => {
      const path = join(directory, dirent.name);
      try {
        if (dirent.isSymbolicLink() && !options.isAllowed(await realpath(path))) return null;
        const stats = await stat(path);
        if (!stats.isFile() && !stats.isDirectory()) return null;
        return {
          name: dirent.name,
          directory: stats.isDirectory(),
          size: stats.isDirectory() ? 0 : stats.size,
          modified: stats.mtimeMs,
        };
      } catch {
        return null; // vanished or unreadable since readdir
      }
    }),
  );
  const items = read.filter((item): item is ListingItem => item !== null);
  const names = nameOrder();
  items.sort((a, b) =>
    a.directory !== b.directory ? (a.directory ? -1 : 1) : names.compare(a.name, b.name),
  );
  return { items, truncated };
}

/** The listing as JSON: `{ path, entries: [{ name, type, size, modified }], truncated }`. */
export function renderListingJson(
  path: string,
  items: readonly ListingItem[],
  truncated: boolean,
): string {
  return JSON.stringify({
    path,
    entries: items.map((item) => ({
      name: item.name,
      type: item.directory ? 'directory' : 'file',
      size: item.size,
      modified: new Date(item.modified).toISOString(),
    })),
    truncated,
  });
}

/** The listing as a small, self-contained HTML page; every name is escaped, links are relative. */
export function renderListingHtml(
  path: string,
  items: readonly ListingItem[],
  options: { readonly parent: boolean; readonly truncated: boolean },
): string {
  const title = escapeHtml(path);
  const rows: string[] = [];
  if (options.parent) {
    rows.push('<tr><td><a href="../" class="dir">../</a></td><td></td><td></td></tr>');
  }
  for (const item of items) {
    const label = escapeHtml(item.name) + (item.directory ? '/' : '');
    const href = escapeHtml(encodeURIComponent(item.name) + (item.directory ? '/' : ''));
    const size = item.directory ? '—' : formatSize(item.size);
    const bytes = item.directory ? '' : ` title="${item.size} bytes"`;
    const modified = new Date(item.modified).toISOString();
    rows.push(
      `<tr><td><a href="./${href}"${item.directory ? ' class="dir"' : ''}>${label}</a></td>` +
        `<td class="size"${bytes}>${size}</td>` +
        `<td><time datetime="${modified}">${modified.slice(0, 16).replace('T', ' ')}</time></td></tr>`,
    );
  }
  const note = options.truncated
    ? `<p class="note">Only the first ${MAX_LISTED} entries are shown.</p>`
    : '';
  const empty = items.length === 0 ? '<p class="note">This folder is empty.</p>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Index of ${title}</title>
<style>
:root { color-scheme: light dark; --fg: #1d2430; --muted: #667085; --line: #e4e7ec; --bg: #ffffff; --link: #1a56db; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #98a2b3; --line: #2b3240; --bg: #12151b; --link: #7aa7ff; } }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 32px 20px; }
h1 { font-size: 20px; font-weight: 600; margin: 0 0 20px; word-break: break-all; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
td.size, th.size { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td:last-child { color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
a { color: var(--link); text-decoration: none; word-break: break-all; }
a:hover { text-decoration: underline; }
a.dir { font-weight: 600; }
.note, footer { color: var(--muted); font-size: 13px; }
footer { margin-top: 24px; }
</style>
</head>
<body>
<main>
<h1>Index of ${title}</h1>
<table>
<thead><tr><th>Name</th><th class="size">Size</th><th>Modified (UTC)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${empty}${note}<footer>porta</footer>
</main>
</body>
</html>
`;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let replacement: string;
    switch (text.charCodeAt(i)) {
      case 38:
        replacement = '&amp;';
        break;
      case 60:
        replacement = '&lt;';
        break;
      case 62:
        replacement = '&gt;';
        break;
      case 34:
        replacement = '&quot;';
        break;
      case 39:
        replacement = '&#39;';
        break;
      default:
        continue;
    }
    out += text.slice(last, i) + replacement;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** A size for people: 512 B, 1.5 KiB, 12 MiB. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1);
  return `${text} ${units[unit] ?? 'B'}`;
}

/** A listing page ready to send. */
export interface ListingResponse {
  readonly headers: string[];
  readonly body: string;
}

/**
 * Reads a directory and renders its listing: JSON when `accept` asks for application/json
 * rather than HTML, else the HTML page (with a Content-Security-Policy that allows no script,
 * so even an escaped hostile file name can never run). `path` is the URL path shown.
 */
export async function buildListing(
  directory: string,
  path: string,
  accept: string,
  options: {
    readonly showHidden: boolean;
    readonly atRoot: boolean;
    readonly isAllowed: (realPath: string) => boolean;
    readonly varyOrigin: boolean;
  },
): Promise<ListingResponse> {
  const json = accept.includes('application/json') && !accept.includes('text/html');
  const listing = await readListing(directory, options);
  const body = json
    ? renderListingJson(path, listing.items, listing.truncated)
    : renderListingHtml(path, listing.items, {
        parent: !options.atRoot,
        truncated: listing.truncated,
      });
  const headers = [
    'Content-Type',
    json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'Cache-Control',
    'no-cache',
    'Vary',
    options.varyOrigin ? 'Accept, Origin' : 'Accept',
    'X-Content-Type-Options',
    'nosniff',
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
  ];
  return { headers, body };
}

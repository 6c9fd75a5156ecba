// Removes dot-segments from a request path before routing (RFC 3986 §5.2.4), so "/a/../b" routes as "/b".

/**
 * Returns the path with "." and ".." segments (also spelled %2e) resolved, still percent-encoded
 * otherwise; null when ".." would climb above the root. Paths without dots come back unchanged.
 */
export function normalizePath(path: string): string | null {
  if (path.indexOf('/.') < 0 && path.indexOf('%2') < 0) return path;
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const raw = segments[i] as string;
    const segment = raw.includes('%2') ? raw.replace(/%2e/gi, '.') : raw;
    const last = i === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (last) out.push('');
    } else {
      out.push(raw);
    }
  }
  return `/${out.join('/')}`;
}

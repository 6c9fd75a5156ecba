// Compiles path globs (`assets/**`, `*.{js,css}`, `app.[0-9a-f]*.js`) into matchers, once at startup.

/**
 * A matcher for root-relative paths without a leading slash ("assets/app.js"). Syntax: `*` any
 * characters but `/`, `**` any number of whole segments, `?` one character but `/`, `[...]` a
 * character class (`[!...]` negated), `{a,b}` alternatives. A leading "/" in the pattern is ignored.
 */
export function compileGlob(pattern: string): RegExp {
  const source = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  let out = '^';
  let braces = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '*') {
      if (source.charAt(i + 1) === '*') {
        // "**/" matches zero or more directories; a trailing "**" matches everything below.
        if (source.charAt(i + 2) === '/') {
          out += '(?:[^/]*/)*';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = source.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
      } else {
        let body = source.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        out += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+^$()|\\{}\]]/g, '\\$&');
    }
  }
  if (braces > 0) throw new Error(`unclosed "{" in glob ${JSON.stringify(pattern)}`);
  return new RegExp(out + '$');
}

/** Whether any of the compiled globs matches a root-relative path. */
export function matchesAny(globs: readonly RegExp[], path: string): boolean {
  for (const glob of globs) if (glob.test(path)) return true;
  return false;
}

// What the docs show users: fenced `yaml` configs and `porta ...` command lines, with where each is.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A config shown in a doc: whole (must pass `porta check` as is) or a marked partial snippet. */
export interface YamlBlock {
  /** "docs/proxy.md:22" (repository-relative, the line of the opening fence). */
  readonly where: string;
  readonly text: string;
  /** Preceded by `<!-- snippet -->`: a piece of a config, checked inside a minimal one. */
  readonly snippet: boolean;
}

/** A command line shown in a doc, split into argv after `porta`. */
export interface CommandLine {
  readonly where: string;
  /** The text as shown, for messages. */
  readonly text: string;
  readonly argv: readonly string[];
}

/** Marks the next fenced yaml block as a partial config (wrapped before checking). */
export const SNIPPET_MARKER = '<!-- snippet -->';

const SHELL_FENCES = new Set(['', 'sh', 'bash', 'shell', 'console']);
/** `porta` (or `npx porta-server`) where a shell would run it: line start, after env settings or a pipe. */
const COMMAND_START =
  /(?:^\s*|[|;]\s*|&&\s*)(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:npx porta-server|porta)(?=\s|$)/g;

/** Files under a folder (recursively) whose names pass a test, repository-relative. */
export function listFiles(root: string, dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...listFiles(root, rel, keep));
    else if (keep(name)) out.push(rel);
  }
  return out;
}

/** The fenced `yaml` blocks of a Markdown file. */
export function yamlBlocks(root: string, file: string): YamlBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: YamlBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] ?? '').trim() !== '```yaml') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i] ?? '').trim() !== '```'; i++) body.push(lines[i] ?? '');
    let previous = start - 1;
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--;
    blocks.push({
      where: `${file}:${start + 1}`,
      text: `${body.join('\n')}\n`,
      snippet: (lines[previous] ?? '').trim() === SNIPPET_MARKER,
    });
  }
  return blocks;
}

/** Code the reader may type: shell fences and inline code spans of Markdown, one entry per line. */
function markdownCode(text: string): { line: number; code: string }[] {
  const lines = text.split('\n');
  const out: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\S*)\s*$/.exec(lines[i] ?? '');
    if (fence !== null) {
      const shell = SHELL_FENCES.has(fence[1] ?? '');
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++) {
        if (!shell) continue;
        let code = lines[i] ?? '';
        const first = i;
        while (code.endsWith('\\') && i + 1 < lines.length)
          code = `${code.slice(0, -1)} ${lines[++i] ?? ''}`;
        out.push({ line: first + 1, code });
      }
      continue;
    }
    for (const span of (lines[i] ?? '').matchAll(/`([^`]+)`/g)) {
      out.push({ line: i + 1, code: span[1] ?? '' });
    }
  }
  return out;
}

/** The contents of <code> elements of an HTML page, one entry per line. */
function htmlCode(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  for (const match of text.matchAll(/<code>([\s\S]*?)<\/code>/g)) {
    const line = text.slice(0, match.index).split('\n').length;
    (match[1] ?? '').split('\n').forEach((code, offset) => {
      out.push({
        line: line + offset,
        code: code.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'),
      });
    });
  }
  return out;
}

/** Comment lines of YAML and Dockerfiles (`#   porta run -c ...`). */
function commentCode(text: string): { line: number; code: string }[] {
  return text
    .split('\n')
    .map((line, index) => ({ line: index + 1, code: line.replace(/^\s*#\s?/, '') }))
    .filter((_, index) => /^\s*#/.test(text.split('\n')[index] ?? ''));
}

/**
 * Shell words of a synopsis or an example, as porta would get them: comments, redirections
 * and `&` cut off; `[optional]` brackets dropped; `a|b` alternatives give the first;
 * `<placeholder>` gives its name.
 */
export function synopsisArgv(rest: string): string[] | null {
  const cut = rest.split(/\s(?:#|\||>|2>|&|;)/)[0] ?? '';
  const words = cut.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  const argv: string[] = [];
  for (const word of words) {
    if (word === '\\') continue;
    let token = word.replace(/^\[+/, '').replace(/\]+$/, '');
    if (/^'.*'$|^".*"$/.test(token)) token = token.slice(1, -1);
    else if (token.includes('|')) token = token.split('|')[0] ?? '';
    token = token.replace(/^<([^>]+)>$/, '$1');
    if (token !== '') argv.push(token);
  }
  // `porta <command> --help` shows no particular command: nothing to check.
  if (words[0]?.startsWith('<') === true) return null;
  return argv;
}

/** Every `porta ...` command line in one file (Markdown, HTML, YAML, Dockerfile). */
export function commandLines(root: string, file: string): CommandLine[] {
  const text = readFileSync(join(root, file), 'utf8');
  const code = file.endsWith('.md')
    ? markdownCode(text)
    : file.endsWith('.html')
      ? htmlCode(text)
      : commentCode(text);
  const out: CommandLine[] = [];
  for (const { line, code: snippet } of code) {
    const trimmed = snippet.replace(/^\s*\$\s+/, '');
    for (const match of trimmed.matchAll(COMMAND_START)) {
      const rest = trimmed.slice(match.index + match[0].length);
      const argv = synopsisArgv(rest);
      if (argv !== null) out.push({ where: `${file}:${line}`, text: trimmed.trim(), argv });
    }
  }
  return out;
}

/**
 * The argv of `command: [...]` in a compose file, `args: [...]` in a Kubernetes container and
 * CMD in a Dockerfile (JSON arrays).
 */
export function containerCommands(root: string, file: string): CommandLine[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const out: CommandLine[] = [];
  lines.forEach((line, index) => {
    // CMD at the line's start only: HEALTHCHECK's indented `CMD [...]` is not porta's argv.
    const match = /^(?:\s*command:|\s*args:|CMD)\s*(\[.*\])\s*$/.exec(line);
    if (match === null) return;
    const argv = JSON.parse((match[1] ?? '[]').replaceAll("'", '"')) as string[];
    out.push({
      where: `${relative(root, join(root, file))}:${index + 1}`,
      text: line.trim(),
      argv,
    });
  });
  return out;
}

// `node bench/macro/rss-map.mjs name=pid ...`: what each process's resident memory is made of, as a
// markdown table in MiB: the node binary's pages by ELF section (machine code, read-only data,
// ICU's data, the dynamic symbol tables), shared libraries, malloc's [heap] and anonymous memory
// (V8's heap and code, thread arenas and stacks). Binary pages are counted resident from the
// present bits of /proc/<pid>/pagemap (same user or root); the rest from /proc/<pid>/smaps.
// Needs `readelf` and `nm` (binutils). See BENCHMARKS.md, "What a porta process is made of".
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';

const binary = realpathSync(process.execPath);

/** Sections of the binary by file offset, and the file range of ICU's data (icudt*_dat). */
function layout() {
  const sections = [];
  for (const line of execFileSync('readelf', ['-SW', binary], { encoding: 'utf8' }).split('\n')) {
    const m = /\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
    if (m && parseInt(m[2], 16) !== 0) {
      sections.push({
        name: m[1],
        addr: parseInt(m[2], 16),
        off: parseInt(m[3], 16),
        size: parseInt(m[4], 16),
      });
    }
  }
  const nm = execFileSync('nm', ['-S', binary], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const icu = /^([0-9a-f]+) ([0-9a-f]+) \S icudt\d+_dat$/m.exec(nm);
  let icuRange = null;
  if (icu) {
    const addr = parseInt(icu[1], 16);
    const section = sections.find((s) => addr >= s.addr && addr < s.addr + s.size);
    const start = section ? addr - section.addr + section.off : 0;
    icuRange = [start, start + parseInt(icu[2], 16)];
  }
  return { sections, icuRange };
}

/** @param {string} name */
function category(name, offset, icuRange) {
  if (name === '.text') return 'node: machine code (.text)';
  if (name === '.rodata') {
    if (icuRange && offset >= icuRange[0] && offset < icuRange[1]) return 'node: ICU data';
    return 'node: read-only data (builtins, tables)';
  }
  if (/^\.(dynstr|dynsym|gnu\.hash|gnu\.version)/.test(name)) return 'node: dynamic symbol tables';
  return 'node: other sections';
}

function measure(pid, { sections, icuRange }) {
  /** @type {Map<string, number>} KiB */
  const kib = new Map();
  const add = (key, n) => kib.set(key, (kib.get(key) ?? 0) + n);
  let current = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      if (name === binary)
        current = null; // counted page by page below
      else if (name.startsWith('/')) current = 'shared libraries and other files';
      else if (name === '[heap]') current = '[heap] (malloc, main arena)';
      else if (name === '') current = 'anonymous (V8 heap and code, thread arenas, stacks)';
      else current = 'other (stack, vdso)';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current) add(current, Number(rss[1]));
  }
  const pagemap = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const parts = line.trim().split(/\s+/);
      if (parts[5] !== binary) continue;
      const [start, end] = parts[0].split('-').map((x) => parseInt(x, 16));
      const fileOffset = parseInt(parts[2], 16);
      const pages = (end - start) / 4096;
      const entries = Buffer.alloc(pages * 8);
      readSync(pagemap, entries, 0, entries.length, (start / 4096) * 8);
      for (let i = 0; i < pages; i++) {
        if (entries.readBigUInt64LE(i * 8) >> 63n === 0n) continue;
        const offset = fileOffset + i * 4096;
        const section = sections.find((s) => offset >= s.off && offset < s.off + s.size);
        add(category(section?.name ?? '', offset, icuRange), 4);
      }
    }
  } finally {
    closeSync(pagemap);
  }
  return kib;
}

const targets = process.argv.slice(2).map((arg) => {
  const at = arg.lastIndexOf('=');
  return at < 0 ? { name: arg, pid: arg } : { name: arg.slice(0, at), pid: arg.slice(at + 1) };
});
if (targets.length === 0) {
  console.error('usage: node bench/macro/rss-map.mjs name=pid ...');
  process.exit(2);
}
const where = layout();
const results = targets.map((t) => ({ ...t, kib: measure(t.pid, where) }));
const keys = [...new Set(results.flatMap((r) => [...r.kib.keys()]))].sort(
  (a, b) =>
    Math.max(...results.map((r) => r.kib.get(b) ?? 0)) -
    Math.max(...results.map((r) => r.kib.get(a) ?? 0)),
);
const mib = (n) => (n / 1024).toFixed(1);
console.log(`| resident memory, MiB | ${results.map((r) => r.name).join(' | ')} |`);
console.log(`| --- | ${results.map(() => '---:').join(' | ')} |`);
for (const key of keys)
  console.log(`| ${key} | ${results.map((r) => mib(r.kib.get(key) ?? 0)).join(' | ')} |`);
const total = (r) => [...r.kib.values()].reduce((a, b) => a + b, 0);
console.log(`| **total (VmRSS)** | ${results.map((r) => `**${mib(total(r))}**`).join(' | ')} |`);

// Resident memory of a server: VmRSS from /proc/<pid>/status summed over the process and all its
// descendants (nginx's master and worker; a Node server and any workers it forks).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Parent PID of every process we can see, from /proc/<pid>/stat.
 * @returns {Map<number, number>} pid -> ppid
 */
function readParents() {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(pid, Number(fields[1]));
  }
  return parents;
}

/**
 * The pid and all its descendants.
 * @param {number} root
 * @returns {number[]}
 */
export function processTree(root) {
  const children = new Map();
  for (const [pid, ppid] of readParents()) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const tree = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = /** @type {number} */ (queue.shift());
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * One field of /proc/<pid>/status in bytes, 0 when the process is gone.
 * @param {number} pid
 * @param {string} field e.g. "VmRSS"
 * @returns {number}
 */
function readStatusBytes(pid, field) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`));
  if (line === undefined) return 0;
  return Number.parseInt(line.slice(field.length + 1).trim(), 10) * 1024; // reported in kB
}

/**
 * VmRSS of one process in bytes, 0 when it is gone.
 * @param {number} pid
 * @returns {number}
 */
export function readRss(pid) {
  return readStatusBytes(pid, 'VmRSS');
}

/**
 * RssAnon of one process in bytes: its own memory (heap, stacks), without the pages of the node
 * binary and libraries it maps, which every process of the same program shares.
 * @param {number} pid
 * @returns {number}
 */
export function readPrivateRss(pid) {
  return readStatusBytes(pid, 'RssAnon');
}

/**
 * Summed VmRSS in bytes of the process and its descendants.
 * @param {number} pid
 * @returns {number}
 */
export function treeRss(pid) {
  return processTree(pid).reduce((sum, p) => sum + readRss(p), 0);
}

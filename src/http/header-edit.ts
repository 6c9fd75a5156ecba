// Edits a flat header list (drop named fields, append others) for per-route header directives.

/** ASCII case-insensitive equality of a field name with a lower-case name, without allocating. */
export function isFieldName(name: string, lowerName: string): boolean {
  const length = lowerName.length;
  if (name.length !== length) return false;
  if (name === lowerName) return true;
  for (let i = 0; i < length; i++) {
    let code = name.charCodeAt(i);
    if (code >= 0x41 && code <= 0x5a) code += 0x20; // A-Z to a-z
    if (code !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

function isListed(name: string, lowerNames: readonly string[]): boolean {
  for (const lowerName of lowerNames) {
    if (isFieldName(name, lowerName)) return true;
  }
  return false;
}

/**
 * `headers` without the fields named in `remove` (lower case), then `add` appended; both lists
 * flat ([name, value, ...]). Returns `headers` itself when nothing changes.
 */
export function editHeaderList(
  headers: readonly string[],
  remove: readonly string[] | null,
  add: readonly string[] | null,
): readonly string[] {
  if (remove === null || remove.length === 0) {
    return add === null || add.length === 0 ? headers : headers.concat(add);
  }
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!isListed(name, remove)) out.push(name, headers[i + 1] as string);
  }
  if (add !== null) {
    for (const field of add) out.push(field);
  }
  return out;
}

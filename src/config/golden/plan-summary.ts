// A compiled Plan as plain, stable JSON data for golden files: classes by name, functions left out, machine paths made relative.

/** Plain data: what a golden file holds. */
export type PlanData = null | boolean | number | string | PlanData[] | { [key: string]: PlanData };

/**
 * Turns any value into plain data: handler objects become `{ "$class": "RespondHandler", ... }`
 * with their public fields, Maps become objects, Buffers their length. `rewrite` maps each
 * string (to hide absolute paths of this machine).
 */
export function toPlanData(value: unknown, rewrite: (text: string) => string): PlanData {
  const seen = new Set<object>();
  const convert = (item: unknown): PlanData | undefined => {
    if (item === null) return null;
    switch (typeof item) {
      case 'string':
        return rewrite(item);
      case 'number':
        return Number.isFinite(item) ? item : String(item);
      case 'boolean':
        return item;
      case 'bigint':
        return String(item);
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    const object = item;
    if (seen.has(object)) return '<cycle>';
    seen.add(object);
    try {
      if (Array.isArray(object)) return object.map((entry: unknown) => convert(entry) ?? null);
      if (object instanceof Uint8Array) return `<${object.byteLength} bytes>`;
      if (object instanceof RegExp) return String(object);
      if (object instanceof Set) return [...object].map((entry: unknown) => convert(entry) ?? null);
      const out: { [key: string]: PlanData } = {};
      const proto: unknown = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null && !(object instanceof Map)) {
        out.$class = (object.constructor as { name?: string } | undefined)?.name ?? 'object';
      }
      const entries: [unknown, unknown][] =
        object instanceof Map ? [...(object as Map<unknown, unknown>)] : Object.entries(object);
      for (const [key, entry] of entries) {
        const converted = convert(entry);
        if (converted !== undefined) out[String(key)] = converted;
      }
      return out;
    } finally {
      seen.delete(object);
    }
  };
  return convert(value) ?? null;
}

// Writes merged series in the Prometheus text exposition format (version 0.0.4).
import { DURATION_BUCKETS, FAMILIES } from './catalogue.js';
import type { Labels, Series } from './snapshot.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label values escape backslash, double quote and newline. */
function escapeValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatLabels(labels: Labels, extra?: string): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeValue(value)}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/** Every family of the catalogue that has series, in catalogue order, with HELP and TYPE. */
export function writeExposition(series: readonly Series[]): string {
  const byName = new Map<string, Series[]>();
  for (const one of series) {
    const list = byName.get(one.name);
    if (list === undefined) byName.set(one.name, [one]);
    else list.push(one);
  }
  let out = '';
  for (const family of FAMILIES) {
    const list = byName.get(family.name);
    if (list === undefined) continue;
    out += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
    for (const one of list) {
      if (family.type !== 'histogram') {
        out += `${family.name}${formatLabels(one.labels)} ${formatNumber(one.value)}\n`;
        continue;
      }
      const buckets = one.buckets ?? [];
      let cumulative = 0;
      for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
        cumulative += buckets[i] ?? 0;
        const bound = i < DURATION_BUCKETS.length ? String(DURATION_BUCKETS[i]) : '+Inf';
        out += `${family.name}_bucket${formatLabels(one.labels, `le="${bound}"`)} ${cumulative}\n`;
      }
      out += `${family.name}_sum${formatLabels(one.labels)} ${formatNumber(one.sum ?? 0)}\n`;
      out += `${family.name}_count${formatLabels(one.labels)} ${cumulative}\n`;
    }
  }
  return out;
}

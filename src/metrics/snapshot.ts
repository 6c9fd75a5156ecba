// A process's metrics as plain data (sent over IPC), merged across processes: counters and histograms summed.
import { FAMILIES } from './catalogue.js';

export type Labels = Readonly<Record<string, string>>;

/** One series: a value, or a histogram's cumulative-free bucket counts (one per bound, then +Inf). */
export interface Series {
  readonly name: string;
  readonly labels: Labels;
  value: number;
  buckets?: number[];
  sum?: number;
}

export type Snapshot = readonly Series[];

function seriesKey(series: Series): string {
  let key = series.name;
  for (const name of Object.keys(series.labels).sort()) {
    key += `\u0000${name}=${series.labels[name] ?? ''}`;
  }
  return key;
}

/** Families whose series meet as the highest value (a state every process sees alike). */
const HIGHEST: ReadonlySet<string> = new Set(
  FAMILIES.filter((f) => f.merge === 'max').map((f) => f.name),
);

/**
 * One view of several processes: the same name and labels add up (counters, histogram buckets,
 * and gauges such as open connections, whose sum is the truth). Gauges that are only true per
 * process carry a `worker` label, so they never meet; a shared state (upstream health) takes the
 * highest value: an upstream is down once no process would send to it (they agree but for the
 * moment an update takes to reach them all).
 */
export function mergeSnapshots(snapshots: readonly Snapshot[]): Series[] {
  const merged = new Map<string, Series>();
  for (const snapshot of snapshots) {
    for (const series of snapshot) {
      const key = seriesKey(series);
      const into = merged.get(key);
      if (into === undefined) {
        merged.set(key, {
          name: series.name,
          labels: series.labels,
          value: series.value,
          ...(series.buckets === undefined ? {} : { buckets: [...series.buckets] }),
          ...(series.sum === undefined ? {} : { sum: series.sum }),
        });
        continue;
      }
      into.value = HIGHEST.has(series.name)
        ? Math.max(into.value, series.value)
        : into.value + series.value;
      if (series.buckets !== undefined && into.buckets !== undefined) {
        for (let i = 0; i < series.buckets.length; i++) {
          into.buckets[i] = (into.buckets[i] ?? 0) + (series.buckets[i] ?? 0);
        }
      }
      if (series.sum !== undefined) into.sum = (into.sum ?? 0) + series.sum;
    }
  }
  return [...merged.values()];
}

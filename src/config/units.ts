// Parses the human units config values use: durations ("10s", "500ms", "2m") and sizes ("1m", "16k").

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  // HSTS max-age and certificate lifetimes are counted in days.
  d: 86_400_000,
};
const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Milliseconds from a number of seconds or a string like "10s", "250ms", "1.5m", "365d"; NaN if malformed. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value >= 0 ? value * 1000 : Number.NaN;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (match === null) return Number.NaN;
  const unit = DURATION_UNITS[(match[2] ?? 's').toLowerCase()] ?? Number.NaN;
  return Math.round(Number(match[1]) * unit);
}

/** Bytes from a number or a string like "1m", "16k", "2 GiB"; NaN if malformed. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : Number.NaN;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (match === null) return Number.NaN;
  const unit = SIZE_UNITS[(match[2] ?? '').toLowerCase()];
  return unit === undefined ? Number.NaN : Math.floor(Number(match[1]) * unit);
}

/** A minimum rate: at least `bytes` every `windowMs`; bytes 0 means no minimum. */
export interface MinRate {
  readonly bytes: number;
  readonly windowMs: number;
}

/** A rate like "1k/10s" (size per duration), or 0 / "0" / "off" for none; null if malformed. */
export function parseRate(value: number | string): MinRate | null {
  if (value === 0 || (typeof value === 'string' && /^\s*(0|off)\s*$/i.test(value))) {
    return { bytes: 0, windowMs: 0 };
  }
  if (typeof value !== 'string') return null;
  const slash = value.indexOf('/');
  if (slash < 0) return null;
  const bytes = parseSize(value.slice(0, slash));
  const windowMs = parseDuration(value.slice(slash + 1));
  if (Number.isNaN(bytes) || Number.isNaN(windowMs) || windowMs <= 0) return null;
  return { bytes, windowMs };
}

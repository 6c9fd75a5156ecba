// Medians and ratios for the summary: the middle of each pass's numbers, and one server over another.

/**
 * The median of the finite numbers given (mean of the middle two for an even count).
 * @param {Array<number | null | undefined>} values
 * @returns {number | null} null when no value is a finite number
 */
export function median(values) {
  const sorted = values
    .filter((v) => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @param {number | null} value
 * @param {number | null} base
 * @returns {number | null}
 */
export function ratio(value, base) {
  if (value === null || base === null || base === 0) return null;
  return value / base;
}

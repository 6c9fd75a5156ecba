// Suggests the nearest allowed word for a typo ("rotes" -> "routes"), by edit distance.

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // One row of the dynamic-programming table at a time.
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const deletion = (previous[j] ?? 0) + 1;
      const insertion = (current[j - 1] ?? 0) + 1;
      current[j] = Math.min(substitution, deletion, insertion);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

/** "keepPath", "Keep-Path" and "keep_path" all fold to "keeppath". */
function fold(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The candidate the user most likely meant, or undefined when none is close: same word in
 * another case or separator style first, then the smallest edit distance within about a third
 * of the word's length (so "rotes" finds "routes" but "x" does not find "echo"), then a
 * candidate the word is the start of.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const folded = fold(word);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const target = fold(candidate);
    if (target === folded) return candidate;
    const distance = editDistance(folded, target);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.max(folded.length, 3) / 3));
  if (bestDistance <= allowed) return best;
  return folded.length >= 4 ? shortestExtension(folded, candidates) : undefined;
}

/** A shortened key ("max_body" for "max_body_size"): the shortest candidate that starts with it. */
function shortestExtension(folded: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const candidate of candidates) {
    if (
      fold(candidate).startsWith(folded) &&
      (best === undefined || candidate.length < best.length)
    ) {
      best = candidate;
    }
  }
  return best;
}

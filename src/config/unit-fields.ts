// Schema fields for durations and sizes, shared by every config section (values stay as written).
import { z } from 'zod';
import { parseDuration, parseRate, parseSize } from './units.js';

/** A duration ("10s", "500ms" or seconds) with a default and a doc line. */
export const duration = (fallback: string, doc: string) =>
  z
    .union([z.number().nonnegative(), z.string()])
    .refine((v) => !Number.isNaN(parseDuration(v)), {
      message: 'expected a duration like "10s", "500ms" or a number of seconds',
    })
    .default(fallback)
    .describe(doc);

/** A size ("1m", "16k" or bytes) with a default and a doc line. */
export const size = (fallback: string | number, doc: string) =>
  z
    .union([z.number().int().nonnegative(), z.string()])
    .refine((v) => !Number.isNaN(parseSize(v)), {
      message: 'expected a size like "1m", "16k" or a number of bytes',
    })
    .default(fallback)
    .describe(doc);

/** A minimum rate ("1k/10s": a size per duration, or 0 for none) with a default and a doc line. */
export const rate = (fallback: string, doc: string) =>
  z
    .union([z.literal(0), z.string()])
    .refine((v) => parseRate(v) !== null, {
      message: 'expected a rate like "1k/10s" (a size per duration), or 0 for none',
    })
    .default(fallback)
    .describe(doc);

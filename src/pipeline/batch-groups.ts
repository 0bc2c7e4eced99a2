// Which requests of a batched generation can share passes. One pass computes a rectangular block
// of sequences × positions at one width, and one sample dispatch takes one temperature, guidance
// scale and choice noise; so requests share passes exactly when everything that sets the width,
// the row counts or those scalars per step is equal. Seeds, classes (null included) and the
// fixed tokens' positions and values may differ: they are per row.

/** Images per group when the caller does not say (the CLI's --batch default too). */
export const DEFAULT_BATCH = 8;

/** What must be equal for two requests to share passes. */
export interface BatchShape {
  steps: number;
  widths: readonly number[];
  cache: boolean;
  temperature: number;
  guidance: number;
  choiceTemperature: number;
  fixed?: { positions: readonly number[] };
  /** The model the request runs on (a batch API may be handed requests for several). */
  model?: string;
}

/** The grouping key: requests with equal keys decode as one batch. */
export function batchKey(r: BatchShape): string {
  // The number of fixed tokens, not which: it sets how many tokens are masked per step, hence the
  // row counts; their positions are per image.
  return JSON.stringify([r.model ?? '', r.steps, r.widths, r.cache, r.temperature, r.guidance, r.choiceTemperature, r.fixed?.positions.length ?? 0]);
}

/** Sequences one image occupies in a pass: the guidance pair counts as two. */
export function sequencesPerImage(r: Pick<BatchShape, 'guidance'>): number {
  return r.guidance > 0 ? 2 : 1;
}

/**
 * Splits request indices into batches: equal keys together (first appearance order, indices
 * ascending in each), each batch at most `maxImages` images. Pure, so the rule is unit-tested.
 */
export function groupRequests<T>(items: readonly T[], key: (t: T) => string, maxImages: number): number[][] {
  if (!(Number.isInteger(maxImages) && maxImages >= 1)) throw new RangeError(`batch size must be an integer ≥ 1, got ${maxImages}`);
  const byKey = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = key(t);
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const out: number[][] = [];
  for (const list of byKey.values()) {
    for (let i = 0; i < list.length; i += maxImages) out.push(list.slice(i, i + maxImages));
  }
  return out;
}

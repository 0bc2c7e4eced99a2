// Timing helpers shared by the benchmark pages: interleaved rounds, medians, spreads.

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function quantile(xs: number[], q: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))));
  return s[i];
}

export interface Timed {
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

export function summarize(xs: number[]): Timed {
  return { median: median(xs), p10: quantile(xs, 0.1), p90: quantile(xs, 0.9), runs: xs.length };
}

/**
 * Runs every contender once per round, in a rotating order, after `warmup` untimed rounds, so
 * that drift of the machine (the other core busy, thermal state) hits all of them alike.
 */
export async function interleave(
  contenders: Record<string, () => Promise<number>>,
  rounds: number,
  warmup = 2,
): Promise<Record<string, Timed>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length];
      const ms = await contenders[n]();
      if (r >= warmup) times[n].push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(times[n])]));
}

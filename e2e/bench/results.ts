// Collects a benchmark section into the JSON file named by MGNT_BENCH_JSON (see scripts/bench.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function record(section: string, value: unknown): void {
  const file = process.env.MGNT_BENCH_JSON;
  if (!file) return;
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all[section] = value;
  all.meta = { ...(all.meta ?? {}), updated: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(all, null, 2));
}

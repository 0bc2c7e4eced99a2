import { expect, test, type Page } from '@playwright/test';
import { median } from './timing';
import { record } from './results';

// Start-up of the shipped model: cold (network, nothing stored), warm (IndexedDB), and a
// generation whose first step comes from the first-step cache vs computed. Uses the store test
// page (e2e/store/page.ts), which drives the real session, store and worker.
const call = (page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => window.storeTest[f as string](...(a as unknown[])), [fn, args] as const) as Promise<any>;

test('start: cold vs warm start vs cached first step', async ({ page }) => {
  await page.goto('/e2e/store/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
  const url = new URL('/models/fmnist-s/manifest.json', page.url()).href;
  const rounds = Number(process.env.MGNT_BENCH_ROUNDS ?? 5);
  const cold: number[] = [], warm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await call(page, 'clear');
    const c = await call(page, 'load', url);
    expect(Object.values(c.report.files)).toEqual(['network', 'network']);
    const w = await call(page, 'load', url);
    expect(Object.values(w.report.files)).toEqual(['idb', 'idb']);
    cold.push(c.ms);
    warm.push(w.ms);
  }
  const out: Record<string, number> = { cold_ms: median(cold), warm_ms: median(warm) };
  for (const schedule of ['baseline', 'magnets']) {
    const base = { classIndex: 7, steps: 12, schedule, seed: 3 };
    const reqs = [{ ...base, reuse: true }]; // fills the first-step cache
    for (let i = 0; i < rounds; i++) reqs.push({ ...base, reuse: false }, { ...base, seed: 100 + i, reuse: true });
    // reuse:true with a fresh seed: no result-cache hit, but step 1 comes from the first-step cache.
    const r = await call(page, 'session', url, reqs);
    const computed = r.results.slice(1).filter((_: unknown, k: number) => k % 2 === 0);
    const cached = r.results.slice(1).filter((_: unknown, k: number) => k % 2 === 1);
    for (const c of cached) expect(c.reused).toBe('first-step');
    out[`${schedule}_ms`] = median(computed.map((x: { ms: number }) => x.ms));
    out[`${schedule}_first_step_cached_ms`] = median(cached.map((x: { ms: number }) => x.ms));
    out[`${schedule}_gflops`] = computed[0].gflops;
    out[`${schedule}_first_step_cached_gflops`] = cached[0].gflops;
  }
  console.log('start:', JSON.stringify(out));
  record('start', out);
});

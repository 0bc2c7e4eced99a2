// Playwright side of the kernel harness: one page per test file, cases run inside it.
import { expect, test as base, type Page } from '@playwright/test';
import { checkParity } from './harness/parity';
import type { CaseResult } from './harness/types';

export const test = base.extend<{}, { harness: Harness }>({
  harness: [
    async ({ browser }, use) => {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') console.log(`[page] ${m.text()}`);
      });
      await page.goto('/e2e/harness/index.html');
      await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
      await use(new Harness(page));
      await page.close();
    },
    { scope: 'worker' },
  ],
});
export { expect };

export class Harness {
  constructor(readonly page: Page) {}
  run(name: string, spec: unknown): Promise<CaseResult> {
    return this.page.evaluate(([n, s]) => window.harness.run(n as string, s), [name, spec] as const);
  }
  info() {
    return this.page.evaluate(() => window.harness.info());
  }
}

/** Asserts a parity result and prints it, so the test log shows every kernel's numbers. */
export function expectParity(label: string, r: CaseResult): void {
  checkParity(expect, label, r);
}

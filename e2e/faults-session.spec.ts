import { expect, test } from '@playwright/test';
import { call, openFaultsPage, serveModel, syntheticFiles } from './faults/fixtures';

// Session-level faults (issue 7): the device lost mid-generation is replaced and the generation
// retried once; generate() while running aborts the earlier call.
test.describe('faults: session', () => {
  let url = '';
  test.beforeEach(async ({ page }) => {
    url = (await serveModel(page, syntheticFiles())).url;
    await openFaultsPage(page);
  });

  test('device destroyed mid-generation: new device, model reloaded, the generation retried once and succeeds', async ({ page }) => {
    const r = await call(page, 'sessionDeviceLost', url, 'once');
    console.log('  ', JSON.stringify(r));
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ destroyed: 1, recovered: true, sameTokens: true, recoveries: 1, newDevice: true, afterwards: false, steps: 4 });
  });

  test('device lost again on the retry: device-lost, after exactly one recovery', async ({ page }) => {
    const r = await call(page, 'sessionDeviceLost', url, 'always');
    console.log('  ', JSON.stringify(r));
    expect(r.error.type).toBe('device-lost');
    expect(r.error.message).toMatch(/^The GPU device was lost again after it was replaced once: /);
    expect(r).toMatchObject({ destroyed: 2, recoveries: 1 });
  });

  test('device lost while idle: the next generation recovers', async ({ page }) => {
    const r = await call(page, 'sessionDeviceLost', url, 'idle');
    console.log('  ', JSON.stringify(r));
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ destroyed: 1, recovered: true, sameTokens: true, recoveries: 1, newDevice: true });
  });

  test('generate() while running: the earlier call rejects with AbortError, the later completes, no mixed frames', async ({ page }) => {
    const r = await call(page, 'sessionReentrant', url);
    console.log('  ', JSON.stringify(r));
    expect(r.error).toBeUndefined();
    expect(r.first).toBe('AbortError');
    expect(r.mixed).toBe(false);
    expect(r.frames.filter((f: string) => f.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
    expect(r.frames.filter((f: string) => f.startsWith('a')).length).toBeLessThan(12);
    expect(r.sameAsAlone).toBe(true);
    expect(r.liveBytesDelta).toBe(0);
  });
});

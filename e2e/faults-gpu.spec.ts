import { expect, test } from '@playwright/test';
import { call, openFaultsPage } from './faults/fixtures';

// GPU faults (issue 7): no WebGPU, no adapter, a device lost mid-generation, a model over the
// device's limits. Each ends in one typed error; nothing is left allocated.
test.describe('faults: GPU', () => {
  test('no navigator.gpu: webgpu-unavailable, saying what to do', async ({ page }) => {
    await page.addInitScript(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await openFaultsPage(page);
    expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
    const r = await call(page, 'acquire');
    expect(r.error.type).toBe('webgpu-unavailable');
    expect(r.error.message).toMatch(/^WebGPU is not available in this browser \(navigator\.gpu is missing\)\. Use a recent Chrome/);
  });

  test('no adapter (requestAdapter resolves null): no-adapter', async ({ page }) => {
    await page.addInitScript(() => {
      GPU.prototype.requestAdapter = async () => null;
    });
    await openFaultsPage(page);
    const r = await call(page, 'acquire');
    expect(r.error.type).toBe('no-adapter');
    expect(r.error.message).toMatch(/^WebGPU is present but no GPU adapter was found\./);
  });

  test('requestAdapter throws: no-adapter with the cause', async ({ page }) => {
    await page.addInitScript(() => {
      GPU.prototype.requestAdapter = async () => {
        throw new Error('adapter blocklisted');
      };
    });
    await openFaultsPage(page);
    const r = await call(page, 'acquire');
    expect(r.error.type).toBe('no-adapter');
    expect(r.error.message).toBe('WebGPU could not return an adapter: Error: adapter blocklisted');
  });

  test.describe('with a device', () => {
    test.beforeEach(async ({ page }) => openFaultsPage(page));

    test('device destroyed mid-generation: the decode loop rejects with device-lost', async ({ page }) => {
      for (const at of [0, 2]) {
        const r = await call(page, 'deviceLostRaw', at);
        console.log(`  destroyed after step ${at}:`, JSON.stringify(r));
        expect(r.error?.type).toBe('device-lost');
        expect(r.seen).toEqual(Array.from({ length: at + 1 }, (_, i) => i));
        expect(r.liveBytesDelta).toBe(0);
      }
    });

    test('acquireGpu({limits}) caps the limits the runtime plans with', async ({ page }) => {
      const r = await call(page, 'acquire', { limits: { maxStorageBufferBindingSize: 65536, maxBufferSize: 1 << 20 } });
      expect(r).toEqual({ maxStorageBufferBindingSize: 65536, maxBufferSize: 1 << 20 });
    });

    test('a model over maxStorageBufferBindingSize: limits, with the numbers, before any allocation', async ({ page }) => {
      const ok = await call(page, 'limits', {});
      expect(ok.error).toBeUndefined();
      const r = await call(page, 'limits', { maxStorageBufferBindingSize: 65536 });
      expect(r.error.type).toBe('limits');
      expect(r.error.message).toMatch(/^model synthetic does not fit this GPU: weights block0 needs \d+ bytes in one buffer, but this GPU allows 65536 \(maxStorageBufferBindingSize\); nothing was allocated\./);
      expect(r.created).toBe(0);
      expect(r.liveBytes).toBe(0);
    });

    test('a model over maxBufferSize (activations): limits, before any allocation', async ({ page }) => {
      const r = await call(page, 'limits', { maxBufferSize: 32768 });
      expect(r.error.type).toBe('limits');
      expect(r.error.message).toMatch(/needs \d+ bytes in one buffer, but this GPU allows 32768 \(maxBufferSize\); nothing was allocated/);
      expect(r.created).toBe(0);
    });
  });
});

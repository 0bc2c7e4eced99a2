import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// <mgnt-canvas> with a video model (docs/SPEC.md §8): the tiny random video checkpoint (5 frames
// of 32×32, group 2, 3 test clips) on a second origin; an image checkpoint for the kind checks.
let server: StaticServer;
let video: string;
let image: string;

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgnt-vid-'));
  writeSyntheticCheckpoint(join(dir, 'v'), 1, { video: true });
  writeSyntheticCheckpoint(join(dir, 'i'), 1);
  server = await serveStatic(dir);
  video = `${server.url}/v/manifest.json`;
  image = `${server.url}/i/manifest.json`;
});
test.afterAll(() => server.close());

async function open(page: Page): Promise<void> {
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto('/e2e/element/index.html');
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

function add(page: Page, attrs: Record<string, string>) {
  return page.evaluate((a) => {
    const el = document.createElement('mgnt-canvas');
    for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
    document.getElementById('stage')!.append(el);
  }, attrs);
}

test('a clip: preview per step, frames, loop playback with play/pause, toBlob as a looping GIF', async ({ page }) => {
  await open(page);
  await add(page, { id: 'v', model: video, loading: 'eager', class: '2', seed: '4', steps: '4', schedule: '1/8,1/4,1/2,1' });
  const r = await page.evaluate(async () => {
    const el = document.getElementById('v') as HTMLElementTagNameMap['mgnt-canvas'];
    const previews: number[] = [];
    el.addEventListener('progress', (e: Event) => (e as CustomEvent).detail.phase === 'generate' && previews.push((e as CustomEvent).detail.step));
    const res = await el.generate();
    const button = el.shadowRoot!.querySelector('button')!;
    const ctx = el.shadowRoot!.querySelector('canvas')!.getContext('2d')!;
    const shown = () => Array.from(ctx.getImageData(0, 0, 32, 32).data.filter((_, i) => i % 4 === 0));
    // Which frame is on the canvas, sampled over a second of playback (8 fps).
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const px = shown();
      const k = el.frames.findIndex((f) => f.every((v, j) => v === px[j]));
      seen.add(k);
      await new Promise((ok) => setTimeout(ok, 60));
    }
    const playing = el.playing, buttonHidden = button.hidden, label = button.getAttribute('aria-label');
    button.click();
    const afterClick = el.playing;
    const still = shown();
    await new Promise((ok) => setTimeout(ok, 400));
    const stillAfter = shown();
    el.play();
    const resumed = el.playing;
    const blob = await el.toBlob({ scale: 2 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const bmp = await createImageBitmap(blob);
    return {
      frames: res.frames.length, frameLengths: res.frames.map((f) => f.length), gray: res.gray.length, size: res.size, fps: res.fps,
      elFrames: el.frames.length, previews, distinctFrames: new Set(res.frames.map((f) => f.join(','))).size,
      seen: [...seen].sort(), playing, buttonHidden, label, afterClick, paused: still.every((v, i) => v === stillAfter[i]), resumed,
      blob: { type: blob.type, head: String.fromCharCode(...bytes.slice(0, 6)), w: bmp.width, h: bmp.height, loops: new TextDecoder('latin1').decode(bytes).includes('NETSCAPE2.0') },
    };
  });
  console.log('  ', JSON.stringify({ ...r, frameLengths: undefined }));
  expect(r).toMatchObject({ frames: 5, frameLengths: [1024, 1024, 1024, 1024, 1024], gray: 5 * 1024, size: 32, fps: 8, elFrames: 5, previews: [0, 1, 2, 3] });
  expect(r.distinctFrames, 'random weights still give different frames').toBeGreaterThan(1);
  expect(r.seen.filter((k) => k >= 0).length, 'several frames shown while playing').toBeGreaterThan(2);
  expect(r.seen).not.toContain(-1);
  expect(r).toMatchObject({ playing: true, buttonHidden: false, label: 'Pause', afterClick: false, paused: true, resumed: true });
  expect(r.blob).toEqual({ type: 'image/gif', head: 'GIF89a', w: 64, h: 64, loops: true });
  await expect(page.getByRole('img', { name: 'Generated clip of a class-2' })).toBeVisible();
});

test('frame prediction: context-clip attribute and predict(frames); the result says what was given', async ({ page }) => {
  await open(page);
  await add(page, { id: 'p', model: video, loading: 'eager', steps: '4', 'context-clip': '1', 'context-frames': '3' });
  const r = await page.evaluate(async () => {
    const el = document.getElementById('p') as HTMLElementTagNameMap['mgnt-canvas'];
    const a = await el.generate();
    el.removeAttribute('context-clip');
    const frames = [0, 1, 2].map((f) => Uint8Array.from({ length: 1024 }, (_, i) => ((i >> 5) + f * 3) % 11 === 0 ? 255 : 0));
    const b = await el.predict(frames);
    const c = await el.predict([new ImageData(32, 32)]);
    const d = await el.predict({ clip: 2 });
    return { a: a.context, aClass: a.classIndex, aFrames: a.frames.length, b: b.context, c: c.context, d: d.context, tokens: b.tokens.length };
  });
  expect(r).toEqual({
    a: { frames: 3, latents: 2, clip: 1 }, aClass: null, aFrames: 5,
    b: { frames: 3, latents: 2 }, c: { frames: 1, latents: 1 }, d: { frames: 3, latents: 2, clip: 2 }, tokens: 48,
  });
});

test('bad frame-prediction input is a bad-attribute error naming the problem and the allowed values', async ({ page }) => {
  await open(page);
  await add(page, { id: 'b', model: video, loading: 'eager', steps: '2' });
  await add(page, { id: 'img', model: image, loading: 'eager', steps: '2' });
  const r = await page.evaluate(async () => {
    const v = document.getElementById('b') as HTMLElementTagNameMap['mgnt-canvas'];
    const im = document.getElementById('img') as HTMLElementTagNameMap['mgnt-canvas'];
    const f = () => new Uint8Array(1024);
    const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e) => `${e.type}: ${e.message}`);
    return {
      count: await outcome(v.predict([f(), f()])),
      tooMany: await outcome(v.predict([f(), f(), f(), f(), f()])),
      size: await outcome(v.predict([new ImageData(28, 28)])),
      pixels: await outcome(v.predict([new Uint8Array(784)])),
      clip: await outcome(v.predict({ clip: 7 })),
      clipCount: await outcome(v.predict({ clip: 0, count: 5 })),
      image: await outcome(im.predict([new Uint8Array(784)])),
      events: window.events.filter((e) => e.type === 'error').map((e) => `${e.id}:${e.detail.type}:${e.detail.fatal}`),
    };
  });
  console.log('  ', JSON.stringify(r, null, 1));
  expect(r.count).toMatch(/^bad-attribute: frame prediction: 2 context frame\(s\) given; synthetic-video takes 1 or 3/);
  expect(r.tooMany).toMatch(/^bad-attribute: frame prediction: too many frames: 5 context frame\(s\) given; synthetic-video takes 1 or 3/);
  expect(r.size).toMatch(/^bad-attribute: frame prediction: context frame 0 is 28×28; this model's frames are 32×32/);
  expect(r.pixels).toMatch(/^bad-attribute: frame prediction: context frame 0 has 784 pixels/);
  expect(r.clip).toMatch(/^bad-attribute: frame prediction: test clip 7 does not exist; this model ships clips 0..2/);
  expect(r.clipCount).toMatch(/^bad-attribute: frame prediction: too many frames: 5 context frame\(s\) given/);
  expect(r.image).toMatch(/^bad-attribute: frame prediction: synthetic-test makes single images .* needs a video model/);
  expect(r.events).toHaveLength(7);
  expect(r.events.every((e: string) => /:bad-attribute:true$/.test(e))).toBe(true);
});

test('an image model keeps its single frame: no play button, PNG from toBlob', async ({ page }) => {
  await open(page);
  await add(page, { id: 'i1', model: image, loading: 'eager', steps: '2' });
  const r = await page.evaluate(async () => {
    const el = document.getElementById('i1') as HTMLElementTagNameMap['mgnt-canvas'];
    const res = await el.generate();
    const blob = await el.toBlob();
    return { frames: res.frames.length, n: res.frames[0].length, gray: res.gray.length, hidden: el.shadowRoot!.querySelector('button')!.hidden, playing: el.playing, type: blob.type };
  });
  expect(r).toEqual({ frames: 1, n: 784, gray: 784, hidden: true, playing: false, type: 'image/png' });
});

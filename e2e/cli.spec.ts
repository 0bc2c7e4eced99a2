import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeSyntheticCheckpoint } from './fixtures/synthetic-checkpoint';

// The CLI end to end (its own Vite server and Chromium), on a random-weight checkpoint folder.
function cli(args: string[]) {
  return spawnSync('npx', ['tsx', 'scripts/generate.ts', ...args], { encoding: 'utf8', timeout: 170_000 });
}

test.describe('npm run generate', () => {
  test('writes PNGs named <class>-<seed>.png and summary.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mgnt-cli-'));
    writeSyntheticCheckpoint(join(dir, 'model'));
    const out = join(dir, 'out');
    const r = cli(['--class', '7', '--count', '2', '--seed', '1003', '--schedule', '1/8,1/4,1/2,1', '--steps', '4', '--model', join(dir, 'model'), '--out', out]);
    console.log(r.stderr.split('\n').slice(-6).join('\n'));
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['class-7-1003.png', 'class-7-1004.png', 'summary.json']);
    const png = readFileSync(join(out, 'class-7-1003.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(28); // width
    expect(png.readUInt32BE(20)).toBe(28); // height
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.images).toHaveLength(2);
    expect(summary.images[0]).toMatchObject({ file: 'class-7-1003.png', class: 'class-7', seed: 1003, widths: [0.125, 0.25, 0.5, 1] });
    expect(summary.images[0].gflops).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/step 4\/4 width 1/);
  });

  test('--count decodes in batches of --batch: the same PNGs as one by one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mgnt-cli-'));
    writeSyntheticCheckpoint(join(dir, 'model'));
    const run = (batch: string) => {
      const out = join(dir, `out-${batch}`);
      const r = cli(['--class', 'all', '--count', '1', '--seed', '40', '--schedule', 'magnets', '--steps', '4', '--batch', batch, '--model', join(dir, 'model'), '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      return { out, r, summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { images: Array<{ file: string; batch: number }> } };
    };
    const one = run('1'), four = run('4');
    const classes = one.summary.images.length;
    expect(classes).toBeGreaterThan(4);
    expect(one.summary.images.map((i) => i.batch)).toEqual(Array(classes).fill(1));
    const sizes = Array.from({ length: classes }, (_, i) => Math.min(4, classes - 4 * Math.floor(i / 4)));
    expect(four.summary.images.map((i) => i.batch)).toEqual(sizes);
    expect(four.r.stderr).toMatch(/batch of 4/);
    for (const img of one.summary.images) {
      expect(readFileSync(join(four.out, img.file)).equals(readFileSync(join(one.out, img.file))), img.file).toBe(true);
    }
    const bad = cli(['--class', '1', '--batch', '0', '--out', join(dir, 'x')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--batch must be at least 1/);
  });

  test('a video checkpoint writes <class>-<seed>.gif, one PNG per frame, and summary.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mgnt-cli-'));
    writeSyntheticCheckpoint(join(dir, 'video'), 1, { video: true });
    const out = join(dir, 'out');
    const r = cli(['--class', '2', '--seed', '7', '--schedule', 'baseline', '--steps', '3', '--model', join(dir, 'video'), '--out', out]);
    console.log(r.stderr.split('\n').slice(-4).join('\n'));
    expect(r.status, r.stderr).toBe(0);
    const frames = [0, 1, 2, 3, 4].map((i) => `class-2-7-f${i}.png`);
    expect(readdirSync(out).sort()).toEqual(['class-2-7.gif', ...frames, 'summary.json'].sort());
    const gif = readFileSync(join(out, 'class-2-7.gif'));
    expect(gif.subarray(0, 6).toString()).toBe('GIF89a');
    expect(gif.readUInt16LE(6)).toBe(32);
    expect(gif.toString('latin1')).toContain('NETSCAPE2.0');
    const png = readFileSync(join(out, frames[4]));
    expect(png.readUInt32BE(16)).toBe(32);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.images[0]).toMatchObject({ file: 'class-2-7.gif', class: 'class-2', seed: 7, frames, fps: 8, widths: [1, 1, 1] });
  });

  test('a checkpoint that fails its SHA-256 exits non-zero, names the file, says integrity, writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mgnt-cli-'));
    const model = join(dir, 'model');
    writeSyntheticCheckpoint(model);
    const f = join(model, 'tokenizer.safetensors');
    const bytes = readFileSync(f);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(f, bytes);
    const out = join(dir, 'out');
    const r = cli(['--class', '0', '--schedule', 'baseline', '--steps', '2', '--model', model, '--out', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/tokenizer\.safetensors/);
    expect(r.stderr).toMatch(/integrity/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  test('--budget picks the best schedule of the shipped Pareto front that fits', async () => {
    const manifest = JSON.parse(readFileSync('public/models/fmnist-s/manifest.json', 'utf8'));
    const front: Array<{ name: string; widths: number[]; fraction: number; fid: number }> = manifest.decode_defaults.pareto;
    expect(front?.length, 'the shipped manifest carries a Pareto front (train/front.py)').toBeGreaterThan(1);
    const budget = 0.4;
    const fits = front.filter((p) => p.fraction <= budget);
    const want = fits.reduce((a, b) => (b.fid < a.fid ? b : a));
    const out = join(mkdtempSync(join(tmpdir(), 'mgnt-cli-')), 'out');
    const r = cli(['--class', 'sneaker', '--seed', '5', '--budget', String(budget), '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.images[0]).toMatchObject({ file: 'sneaker-5.png', class: 'sneaker', schedule: want.name, widths: want.widths, budget: { requested: budget, exceeded: false } });
    expect(summary.images[0].notices).toBeUndefined();
    expect(r.stderr).not.toContain('warning');
  });

  test('--budget below the cheapest measured schedule runs that one, names it everywhere, and warns once', async () => {
    const manifest = JSON.parse(readFileSync('public/models/fmnist-s/manifest.json', 'utf8'));
    const front: Array<{ name: string; widths: number[]; cache: boolean; fraction: number }> = manifest.decode_defaults.pareto;
    const cheapest = front.reduce((a, b) => (b.fraction < a.fraction ? b : a));
    expect(cheapest.fraction).toBeGreaterThan(0.05);
    const out = join(mkdtempSync(join(tmpdir(), 'mgnt-cli-')), 'out');
    const r = cli(['--class', 'sneaker', '--seed', '5', '--count', '2', '--budget', '0.05', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('generate: warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`budget 0.05 is below the cheapest measured schedule: ran "${cheapest.name}"`);
    // The console names what ran, never the default it did not run.
    expect(r.stderr).toContain('sneaker seed 5, sneaker seed 6 (budget 0.05, batch of 2)');
    expect(r.stderr).toContain(`→ sneaker-5.png: schedule ${cheapest.name} [`);
    expect(r.stderr).not.toContain('(magnets)');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.images).toHaveLength(2);
    for (const img of summary.images) {
      expect(img).toMatchObject({
        schedule: cheapest.name, widths: cheapest.widths, cache: cheapest.cache,
        budget: { requested: 0.05, fraction: cheapest.fraction, exceeded: true },
      });
      expect(img.notices).toEqual([warnings[0].slice('generate: warning: '.length)]);
    }
  });

  test('--time-budget measures the device, runs the best point predicted to fit, and records predicted and measured ms', async () => {
    const manifest = JSON.parse(readFileSync('public/models/fmnist-s/manifest.json', 'utf8'));
    const names: string[] = manifest.decode_defaults.pareto.map((p: { name: string }) => p.name);
    const out = join(mkdtempSync(join(tmpdir(), 'mgnt-cli-')), 'out');
    // 1 ms: below every point on any device, so the fastest runs and the CLI says so once.
    const r = cli(['--class', 'sneaker', '--seed', '5', '--count', '2', '--time-budget', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('measuring this device for the time budget');
    expect(r.stderr).toContain('sneaker seed 5 (time budget 1 ms)');
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('generate: warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^generate: warning: time budget 1 ms is below the fastest schedule on this device: ran "[^"]+" \(predicted \d+ ms\) instead; the lowest time budget this device can meet is \d+ ms$/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const [a, b] = summary.images;
    expect(a.timeBudget.points.map((p: { name: string }) => p.name)).toEqual(names);
    const fastest = a.timeBudget.points.reduce((x: any, y: any) => (y.predictedMs < x.predictedMs ? y : x));
    expect(a).toMatchObject({ schedule: fastest.name, predictedMs: fastest.predictedMs, timeBudget: { requested: 1, exceeded: true, predictedMs: fastest.predictedMs, calibration: 'measured' } });
    expect(a.ms).toBeGreaterThan(0);
    expect(a.timeBudget.calibrationMs).toBeGreaterThan(0);
    // The second image reuses the measurement.
    expect(b).toMatchObject({ schedule: fastest.name, timeBudget: { calibration: 'memory', calibrationMs: 0 } });
    expect(r.stderr).toMatch(new RegExp(`→ sneaker-5\\.png: schedule ${fastest.name} .* ms per image \\(predicted \\d+ ms\\)`));
  });

  test('--time-budget rejects what is not a time in ms, and does not combine with --budget', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mgnt-cli-')), 'out');
    for (const [v, msg] of [['0', '--time-budget must be a time in milliseconds > 0 (e.g. 200), got 0'], ['-5', 'got -5'], ['fast', '--time-budget needs a number, got fast']]) {
      const r = cli(['--class', '0', '--time-budget', v, '--out', out]);
      expect(r.status, v).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    const both = cli(['--class', '0', '--time-budget', '200', '--budget', '0.5', '--out', out]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('give --budget (a fraction of the full-width cost) or --time-budget (ms), not both');
    expect(existsSync(out)).toBe(false);
  });

  test('--model names the path it was given', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mgnt-cli-')), 'out');
    const missing = cli(['--class', '0', '--out', out, '--model', '/nonexistent/ckpt']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--model /nonexistent/ckpt: no such file or folder');
    const empty = mkdtempSync(join(tmpdir(), 'mgnt-empty-'));
    const none = cli(['--class', '0', '--out', out, '--model', empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain(`no manifest.json in ${empty}`);
  });

  test('bad arguments are named', async () => {
    const r = cli(['--class', 'hat', '--out', '/tmp/x', '--model', 'no-such-folder']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no manifest\.json|--model/);
  });
});

// npm run generate -- --class <name|index|all> --count <n per class> --seed <first seed> [--batch <n>]
//   --schedule <baseline|magnets|w,w,…> [--steps n] [--guidance g] [--no-cache]
//   [--model <manifest URL or folder>] --out <dir>
// Drives headless Chromium with WebGPU; writes <class>-<seed>.png (28×28 gray) and summary.json.
// The images decode in batches of --batch (default 8; pipeline/generate-batch.ts): one pass per
// step for the whole batch, every image the same as when generated alone.
// A video model (docs/SPEC.md §8) writes <class>-<seed>.gif (the clip, looping at its fps) and
// <class>-<seed>-f<frame>.png for every frame instead.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { createServer, type Plugin } from 'vite';
import { launchOptions } from '../e2e/browser';
import { grayFramesToGif } from '../src/element/animated';
import { splitFrames } from '../src/model/clip';
import type { Notice, ScheduleUsed } from '../src/pipeline/request';
import { DEFAULT_BATCH } from '../src/pipeline/batch-groups';
import { encodeGrayPng } from './png';

/** 0.125 → 1/8: widths as the --schedule flag writes them. */
function fraction(w: number): string {
  return w === 1 ? '1' : Number.isInteger(1 / w) ? `1/${1 / w}` : String(w);
}

const USAGE = `usage: npm run generate -- --class <name|index|all> --count <n> --seed <first seed>
  --schedule <baseline|magnets|w,w,…> [--steps n] [--guidance g] [--no-cache]
  [--budget <fraction of the full-width cost> | --time-budget <ms per image on this device>]
  [--model <manifest URL or folder>] [--batch <images decoded together, default ${DEFAULT_BATCH}>] --out <dir>`;

function fail(msg: string, code = 2): never {
  console.error(`generate: ${msg}`);
  process.exit(code);
}

interface Args {
  class: string;
  count: number;
  seed: number;
  schedule: string;
  steps?: number;
  guidance?: number;
  cache: boolean;
  model?: string;
  budget?: number;
  /** ms per image: the best front point predicted to fit on this device (measured first). */
  timeBudget?: number;
  batch: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const a: Partial<Args> & { cache: boolean } = { cache: true };
  const num = (flag: string, v: string | undefined, int: boolean) => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) fail(`${flag} needs ${int ? 'an integer' : 'a number'}, got ${v}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = () => argv[++i];
    switch (f) {
      case '--class': a.class = v(); break;
      case '--count': a.count = num(f, v(), true); break;
      case '--seed': a.seed = num(f, v(), true); break;
      case '--schedule': a.schedule = v(); break;
      case '--steps': a.steps = num(f, v(), true); break;
      case '--guidance': a.guidance = num(f, v(), false); break;
      case '--no-cache': a.cache = false; break;
      case '--model': a.model = v(); break;
      case '--budget': a.budget = num(f, v(), false); break;
      case '--time-budget': a.timeBudget = num(f, v(), false); break;
      case '--batch': a.batch = num(f, v(), true); break;
      case '--out': a.out = v(); break;
      case '--help': case '-h': console.log(USAGE); process.exit(0);
      default: fail(`unknown argument ${f}\n${USAGE}`);
    }
  }
  a.count ??= 1;
  a.seed ??= 0;
  a.schedule ??= 'magnets';
  a.batch ??= DEFAULT_BATCH;
  if (!a.class) fail(`--class is required\n${USAGE}`);
  if (!a.out) fail(`--out is required\n${USAGE}`);
  if (a.count < 1) fail('--count must be at least 1');
  if (a.seed < 0) fail('--seed must be ≥ 0');
  if (a.batch < 1) fail(`--batch must be at least 1, got ${a.batch}`);
  if (a.budget !== undefined && !(a.budget > 0 && a.budget <= 1)) fail(`--budget must be a fraction in (0, 1], got ${a.budget}`);
  if (a.timeBudget !== undefined && !(a.timeBudget > 0)) fail(`--time-budget must be a time in milliseconds > 0 (e.g. 200), got ${a.timeBudget}`);
  if (a.timeBudget !== undefined && a.budget !== undefined) fail('give --budget (a fraction of the full-width cost) or --time-budget (ms), not both');
  return a as Args;
}

/** Serves a local checkpoint folder under /__model/ on the dev server. */
function serveFolder(dir: string): Plugin {
  return {
    name: 'mgnt-model-folder',
    configureServer(server) {
      server.middlewares.use('/__model/', (req, res, next) => {
        const rel = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
        const file = resolve(dir, rel);
        if (!file.startsWith(resolve(dir)) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('content-type', extname(file) === '.json' ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let modelUrl = '/models/fmnist-s/manifest.json';
  const plugins: Plugin[] = [];
  if (args.model) {
    if (/^https?:\/\//.test(args.model)) modelUrl = args.model;
    else {
      const p = resolve(args.model);
      if (!existsSync(p)) fail(`--model ${args.model}: no such file or folder (${p}); --model takes a checkpoint folder, its manifest.json, or a URL`);
      const dir = existsSync(p) && statSync(p).isDirectory() ? p : resolve(p, '..');
      const name = existsSync(p) && statSync(p).isFile() ? p.slice(dir.length + 1) : 'manifest.json';
      if (!existsSync(join(dir, name))) fail(`--model ${args.model}: no ${name} in ${dir}; --model takes a checkpoint folder, its manifest.json, or a URL`);
      plugins.push(serveFolder(dir));
      modelUrl = `/__model/${name}`;
    }
  }
  const server = await createServer({ root: resolve(import.meta.dirname, '..'), plugins, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  const addr = server.httpServer!.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const browser = await chromium.launch(launchOptions());
  let code = 0;
  try {
    const page = await browser.newPage();
    await page.exposeFunction('mgntProgress', (line: string) => process.stderr.write(line + '\n'));
    await page.goto(`http://127.0.0.1:${port}/scripts/generate/index.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
    const info = (await page.evaluate((u) => window.mgntCli.load(u), modelUrl)) as { classes?: string[]; error?: { type: string; message: string } };
    if (info.error) {
      console.error(`generate: ${info.error.type === 'integrity' ? 'integrity error: ' : ''}${info.error.message}`);
      code = 1;
      return;
    }
    const classes = info.classes!;
    let chosen: number[];
    if (args.class === 'all') chosen = classes.map((_, i) => i);
    else if (/^\d+$/.test(args.class)) chosen = [Number(args.class)];
    else chosen = [classes.indexOf(args.class)];
    if (chosen.some((c) => c < 0 || c >= classes.length)) fail(`unknown class "${args.class}"; use an index 0..${classes.length - 1}, "all", or one of: ${classes.join(', ')}`);
    mkdirSync(args.out, { recursive: true });
    const images: unknown[] = [];
    const warned = new Set<string>();
    const asked = args.timeBudget !== undefined ? `time budget ${args.timeBudget} ms` : args.budget !== undefined ? `budget ${args.budget}` : args.schedule;
    type Out = { gray?: number[]; size?: number; frames?: number; fps?: number; widths?: number[]; gflops?: number; ms?: number; predictedMs?: number; batch?: number; schedule?: ScheduleUsed; notices?: Notice[] };
    type Reply = { results?: Out[]; error?: { type: string; message: string } };
    const jobs = chosen.flatMap((c) => Array.from({ length: args.count }, (_, k) => ({ c, seed: args.seed + k })));
    // A chunk of --batch images is one group (they share every setting), so one batch each. A time
    // budget is predicted for one image alone on this device, so those images run one by one.
    const size = args.timeBudget !== undefined ? 1 : args.batch;
    for (let j0 = 0; j0 < jobs.length; j0 += size) {
      const chunk = jobs.slice(j0, j0 + size);
      process.stderr.write(`${chunk.map(({ c, seed }) => `${classes[c]} seed ${seed}`).join(', ')} (${asked}${chunk.length > 1 ? `, batch of ${chunk.length}` : ''})\n`);
      const reqs = chunk.map(({ c, seed }) => ({
        classIndex: c, seed, schedule: args.schedule, steps: args.steps, guidance: args.guidance, cache: args.cache, budget: args.budget, timeBudget: args.timeBudget,
      }));
      let reply: Reply;
      if (args.timeBudget !== undefined) {
        const one = (await page.evaluate((req) => window.mgntCli.run(req), reqs[0])) as Out & { error?: Reply['error'] };
        reply = one.error ? { error: one.error } : { results: [one] };
      } else reply = (await page.evaluate(([rs, b]) => window.mgntCli.runBatch(rs, b), [reqs, args.batch] as const)) as Reply;
      if (reply.error) {
        console.error(`generate: ${reply.error.message}`);
        code = 1;
        return;
      }
      for (const [k, { c, seed }] of chunk.entries()) {
        const r = reply.results![k];
        // The request was served, but not as asked (a budget below the cheapest schedule): say so once.
        for (const n of r.notices ?? []) {
          if (warned.has(n.message)) continue;
          warned.add(n.message);
          console.error(`generate: warning: ${n.message}`);
        }
        const S = r.size!, frames = splitFrames(Uint8Array.from(r.gray!), S), sch = r.schedule!;
        let file = `${classes[c]}-${seed}.png`;
        const extra: Record<string, unknown> = {};
        if (frames.length > 1) {
          file = `${classes[c]}-${seed}.gif`;
          writeFileSync(join(args.out, file), grayFramesToGif(frames, S, r.fps!));
          extra.frames = frames.map((f, i) => {
            const name = `${classes[c]}-${seed}-f${i}.png`;
            writeFileSync(join(args.out, name), encodeGrayPng(f, S, S));
            return name;
          });
          extra.fps = r.fps;
        } else writeFileSync(join(args.out, file), encodeGrayPng(frames[0], S, S));
        // ms: the batch's wall time divided by its images.
        images.push({
          file, class: classes[c], seed, schedule: sch.name, widths: sch.widths, cache: sch.cache, ...(sch.budget ? { budget: sch.budget } : {}),
          ...(sch.timeBudget ? { timeBudget: sch.timeBudget } : {}),
          gflops: r.gflops, ms: r.ms, ...(r.predictedMs !== undefined ? { predictedMs: r.predictedMs } : {}), ...(r.batch !== undefined ? { batch: r.batch } : {}),
          ...extra, ...(r.notices?.length ? { notices: r.notices.map((n) => n.message) } : {}),
        });
        process.stderr.write(`  → ${file}: schedule ${sch.name} [${sch.widths.map(fraction).join(',')}]${sch.cache ? '' : ' no cache'}, ${r.gflops!.toFixed(3)} GFLOPs, ${r.ms!.toFixed(0)} ms per image${r.batch !== undefined ? ` (batch of ${r.batch})` : ''}${r.predictedMs !== undefined ? ` (predicted ${r.predictedMs.toFixed(0)} ms)` : ''}\n`);
      }
    }
    writeFileSync(join(args.out, 'summary.json'), JSON.stringify({ images }, null, 2));
    console.log(`wrote ${images.length} image(s) and summary.json to ${args.out}`);
  } finally {
    await browser.close();
    await server.close();
    process.exitCode = code;
  }
}

main().catch((e) => {
  console.error(`generate: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

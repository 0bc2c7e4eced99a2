// The demo page (index.html, `npm run demo`): one session (in a worker when possible), baseline
// and MaGNeTS side by side, inpainting from any result or from the visitor's own image (drawn or
// picked, encoded to tokens by the VQ encoder), and a gallery.
import { MgntError } from '../gpu/errors';
import type { ModelInfo, SessionApi, SessionResult } from '../pipeline/session';
import type { SessionRequest } from '../pipeline/request';
import { chooseForBudget } from '../pipeline/budget';
import { parseSchedule } from '../pipeline/schedule';
import { borderMean, imageToGray } from '../element/image-input';
import { openSession } from '../worker/client';
import { DrawPad } from './draw-pad';
import { Gallery } from './gallery';
import { InpaintEditor } from './inpaint';
import { registerOffline } from './offline';
import { ResultPanel } from './panel';
import { VideoSection } from './video';
import { StoragePanel } from './storage-panel';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? '/models/fmnist-s/manifest.json';
const status = $('status');

const left = new ResultPanel($('panel-baseline'), 'baseline (width 1 every step)');
const right = new ResultPanel($('panel-magnets'), 'MaGNeTS');
const inpaintPanel = new ResultPanel($('panel-inpaint'), 'inpainted');
const editor = new InpaintEditor($('inpaint-editor'));
const gallery = new Gallery($<HTMLOListElement>('gallery'), (item) => {
  editor.load(item.result.gray, item.result.size, item.result.tokens);
  $('inpaint-title').scrollIntoView({ behavior: 'smooth' });
});

const pad = new DrawPad($<HTMLCanvasElement>('draw-canvas'), (f) => void useFile(f));
const stored = new StoragePanel($('stored'));
// Read when opened: listing walks the whole store, which the page otherwise never needs.
$('storage-panel').addEventListener('toggle', () => ($<HTMLDetailsElement>('storage-panel').open ? void stored.refresh() : undefined));
registerOffline($('offline'));

let session: SessionApi | null = null;
let info: ModelInfo | null = null;
let run = 0;

function noWebGpu(reason: string): void {
  $('no-webgpu').hidden = false;
  $('no-webgpu-reason').textContent = reason;
  status.textContent = '';
  $('app').hidden = true;
  document.querySelector('footer')!.hidden = true;
}

function scheduleSpec(): { spec: string; name: string; cache?: boolean; timeBudget?: number } {
  const s = $<HTMLSelectElement>('schedule').value;
  // The time-budget dial: the session measures this device once and picks the point that fits.
  if (s === 'time') {
    const ms = Number($<HTMLInputElement>('time-budget').value);
    return { spec: 'magnets', name: `time budget ${ms} ms`, timeBudget: ms };
  }
  if (s === 'custom') return { spec: $<HTMLInputElement>('custom').value, name: 'custom' };
  if (s === 'budget') {
    // The compute-budget dial: the best schedule of the checkpoint's measured front that fits.
    const b = Number($<HTMLInputElement>('budget').value);
    const { point: p, exceeded } = chooseForBudget(info!.defaults.pareto, b);
    // Below the cheapest measured schedule the dial runs that one: the label says it costs more.
    return { spec: p.widths.join(','), name: `budget ${b} → ${p.name}${exceeded ? ` (over budget: it costs ${p.fraction.toFixed(2)})` : ''}`, cache: p.cache };
  }
  return { spec: s, name: s };
}

function baseRequest(): SessionRequest {
  const steps = Number($<HTMLInputElement>('steps').value);
  return {
    classIndex: Number($<HTMLSelectElement>('class').value),
    seed: Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value) || 0)),
    steps,
    guidance: Number($<HTMLInputElement>('guidance').value),
    reuse: $<HTMLInputElement>('reuse').checked,
    preview: true,
  };
}

/** The schedule as one width per step, shown before the run starts. */
function widthsFor(spec: string, steps: number): number[] {
  const N = info!.grid.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(steps) || steps < 1 || steps > N) {
    // Checked before any list is built from it (the random-seed button skips the form's own check).
    throw new MgntError('bad-attribute', `steps must be an integer between 1 and ${N} (the number of tokens to generate), got ${steps}`);
  }
  try {
    return parseSchedule(spec, steps, info!.defaults.magnets, info!.widths);
  } catch (e) {
    throw new MgntError('bad-attribute', `schedule: ${(e as Error).message}`);
  }
}

/** Runs one request into a panel; null when it was superseded by a newer run. */
async function runInto(panel: ResultPanel, req: SessionRequest & { schedule: number[] }, schedule: string, mine: number): Promise<SessionResult | null> {
  panel.start(req.schedule);
  try {
    const r = await session!.generate(req, (st) => mine === run && panel.step(st));
    if (mine !== run) return null;
    const cls = r.classIndex === null ? 'unconditional' : info!.classes[r.classIndex];
    panel.finish(r, `${cls}, seed ${r.seed}, ${schedule}`);
    return r;
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    panel.fail((e as Error).message);
    throw e;
  }
}

async function compare(): Promise<void> {
  const mine = ++run;
  const base = baseRequest();
  const { spec, name, cache, timeBudget } = scheduleSpec();
  right.setTitle(`MaGNeTS (${name})`);
  $('ratio').textContent = '';
  try {
    const b = await runInto(left, { ...base, schedule: widthsFor('baseline', base.steps!) }, 'baseline', mine);
    if (!b) return;
    const mSteps = cache === undefined ? base.steps! : spec.split(',').length;
    const m = timeBudget !== undefined
      ? await runInto(right, { ...base, timeBudget, schedule: [] }, name, mine) // the session chooses the schedule
      : await runInto(right, { ...base, steps: mSteps, cache: cache ?? true, schedule: widthsFor(spec, mSteps) }, name, mine);
    if (!m) return;
    if (timeBudget !== undefined) right.setTitle(`MaGNeTS (${name} → ${m.schedule.name})`);
    const cls = info!.classes[base.classIndex!];
    const reused = b.reused === 'result' || m.reused === 'result';
    $('ratio').textContent = `${name === 'baseline' ? 'Same schedule on both sides' : `${name}: ${(b.gflops / m.gflops).toFixed(2)}× fewer GFLOPs than baseline`}` +
      (reused ? ' (times are 0 ms where the result cache answered)' : `; ${b.ms.toFixed(0)} ms vs ${m.ms.toFixed(0)} ms per image, each with a preview decode after every step`) +
      m.notices.map((n) => `. ${n.message}`).join('');
    editor.load(m.gray, m.size, m.tokens);
    await gallery.add({ result: b, className: cls, schedule: 'baseline', inpainted: false });
    await gallery.add({ result: m, className: cls, schedule: name, inpainted: false });
    status.textContent = '';
  } catch (e) {
    status.textContent = `Error: ${(e as Error).message}`;
  }
}

async function inpaint(): Promise<void> {
  const fixed = editor.fixed();
  if (!fixed) {
    status.textContent = 'Generate an image (or encode your own) first, then pick the cells to keep.';
    return;
  }
  const mine = ++run;
  const base = baseRequest();
  const { spec, name, cache } = scheduleSpec();
  const listed = name === 'custom' || cache !== undefined; // an explicit width list
  const free = info!.grid.reduce((a, b) => a * b, 1) - fixed.positions.length;
  const want = cache === undefined ? (base.steps ?? 12) : spec.split(',').length;
  const steps = Math.max(1, Math.min(want, free));
  try {
    if (free === 0) throw new MgntError('bad-attribute', 'every cell is kept: clear some cells to regenerate them');
    // Fewer free tokens than steps: fall back to the magnets schedule stretched to fit.
    const schedule = widthsFor(listed && steps !== want ? 'magnets' : spec, steps);
    const req = { ...base, steps, seed: (base.seed ?? 0) + 1, fixed, schedule, cache: cache ?? true };
    const r = await runInto(inpaintPanel, req, name, mine);
    if (!r) return;
    await gallery.add({ result: r, className: info!.classes[base.classIndex!], schedule: name, inpainted: true });
    status.textContent = '';
  } catch (e) {
    status.textContent = `Error: ${(e as Error).message}`;
  }
}

/** One image of every class, as one batched generation, into the gallery. */
async function fillGallery(): Promise<void> {
  const out = $('gallery-info');
  const base = baseRequest();
  const { spec, name, cache } = scheduleSpec();
  const steps = cache === undefined ? base.steps! : spec.split(',').length;
  out.textContent = `generating ${info!.classes.length} images as one batch…`;
  try {
    out.textContent = await gallery.fill(session!, { ...base, steps, cache: cache ?? true, schedule: widthsFor(spec, steps) }, info!.classes, name);
  } catch (e) {
    out.textContent = (e as Error).name === 'AbortError' ? '' : `Error: ${(e as Error).message}`;
  }
}

/** Encodes the drawing pad: its reconstruction and tokens go to the inpainting editor. */
async function useDrawing(label = 'your drawing'): Promise<void> {
  const out = $('draw-info');
  try {
    if (!pad.dirty) throw new MgntError('bad-attribute', 'draw something first (white on black), or pick or drop an image file');
    out.textContent = 'encoding…';
    const size = info!.imageSize;
    const r = await session!.encode(await imageToGray(pad.canvas, size), size);
    editor.load(r.gray, r.size, r.tokens);
    out.textContent = `${label}: ${r.tokens.length} tokens, ${r.gflops.toFixed(3)} GFLOPs, ${r.ms.toFixed(0)} ms. Its reconstruction is in the editor: keep cells, regenerate the rest.`;
  } catch (e) {
    out.textContent = `Error: ${(e as Error).message}`;
  }
}

/** Shows a picked or dropped file on the pad (inverted when its background is light), then encodes it. */
async function useFile(f: File): Promise<void> {
  try {
    await pad.show(f);
  } catch (e) {
    $('draw-info').textContent = `Error: ${f.name} could not be read as an image (${(e as Error).message})`;
    return;
  }
  const light = borderMean(await imageToGray(pad.canvas, info!.imageSize), info!.imageSize) > 128;
  $<HTMLInputElement>('draw-invert').checked = light;
  if (light) pad.invert();
  await useDrawing(f.name);
}

function wire(): void {
  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    void compare();
  });
  $('dice').addEventListener('click', () => {
    $<HTMLInputElement>('seed').value = String(Math.floor(Math.random() * 1e6));
    void compare();
  });
  $('schedule').addEventListener('change', () => {
    const v = $<HTMLSelectElement>('schedule').value;
    $('custom-label').hidden = v !== 'custom';
    $('budget-label').hidden = v !== 'budget';
    $('time-label').hidden = v !== 'time';
  });
  const tb = $<HTMLInputElement>('time-budget');
  tb.addEventListener('input', () => ($('time-budget-out').textContent = `${tb.value} ms`));
  const bud = $<HTMLInputElement>('budget');
  bud.addEventListener('input', () => ($('budget-out').textContent = bud.value));
  const g = $<HTMLInputElement>('guidance');
  g.addEventListener('input', () => ($('guidance-out').textContent = g.value));
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-keep]')) {
    b.addEventListener('click', () => editor.preset(b.dataset.keep as 'top'));
  }
  $('inpaint-go').addEventListener('click', () => void inpaint());
  $('gallery-fill').addEventListener('click', () => void fillGallery());
  $('draw-use').addEventListener('click', () => void useDrawing());
  $('draw-clear').addEventListener('click', () => pad.clear());
  $('draw-invert').addEventListener('change', () => pad.invert());
  const file = $<HTMLInputElement>('draw-file');
  file.addEventListener('change', () => {
    if (file.files?.[0]) void useFile(file.files[0]);
    file.value = '';
  });
}

async function main(): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    noWebGpu('navigator.gpu is missing in this browser.');
    return;
  }
  try {
    session = await openSession({ onQuota: (m) => ($('storage').textContent = m) });
    $('backend').textContent = session.backend === 'worker' ? 'a worker' : 'the main thread';
    info = await session.load(modelUrl, (p) => (status.textContent = `Loading the model: ${p.file} ${((100 * p.loaded) / p.total).toFixed(0)}%`));
  } catch (e) {
    const type = e instanceof MgntError ? e.type : '';
    if (type === 'webgpu-unavailable' || type === 'no-adapter') return noWebGpu((e as Error).message);
    status.textContent = type === 'network'
      ? `The model could not be loaded (${(e as Error).message}). Train and export it (see README), or pass ?model=<manifest URL>.`
      : `Error: ${(e as Error).message}`;
    return;
  }
  $('model-name').textContent = `${info.name} (${(info.weightBytes / 2 ** 20).toFixed(1)} MB of weights)`;
  const src = Object.values(info.storage.files);
  $('storage').textContent = info.storage.memoryOnly
    ? `memory only: ${info.storage.reason ?? ''}`
    : src.every((s) => s === 'idb') ? `loaded from IndexedDB in ${info.ms.toFixed(0)} ms` : `downloaded in ${info.ms.toFixed(0)} ms and kept in IndexedDB`;
  if ($<HTMLDetailsElement>('storage-panel').open) void stored.refresh();
  const sel = $<HTMLSelectElement>('class');
  sel.replaceChildren(...info.classes.map((c, i) => new Option(c, String(i))));
  $<HTMLInputElement>('steps').value = String(info.defaults.steps);
  $<HTMLInputElement>('guidance').value = String(info.defaults.guidance);
  $('guidance-out').textContent = String(info.defaults.guidance);
  $('app').hidden = false;
  status.textContent = '';
  wire();
  // The video model is separate (its own session): the section stays hidden until one loads.
  void new VideoSection($('video'), params.get('video') ?? '/models/mfmnist-video/manifest.json').start();
  if (!params.has('idle')) await compare();
}

void main();

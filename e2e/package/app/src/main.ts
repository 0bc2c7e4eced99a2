// Uses the package as an app would: the element (typed through HTMLElementTagNameMap) and the
// library API. The @ts-expect-error lines fail the type-check if the typings decay to `any`.
import 'mgnt/element';
import { loadModel, MgntError, type GenerateOptions, type MgntResult } from 'mgnt';

const MODEL = '/models/fmnist-s/manifest.json';

const el = document.createElement('mgnt-canvas');
el.model = MODEL;
el.class = 'sneaker';
el.seed = 3;
el.steps = 2;
el.schedule = 'baseline';
// @ts-expect-error seed is a number
el.seed = 'three';
el.seed = 3;
document.body.append(el);
const fromMarkup = document.querySelector('mgnt-canvas')!; // MgntCanvas, not Element
void fromMarkup.toBlob;

interface Summary {
  className: string | null;
  size: number;
  nonBlack: number;
  schedule: MgntResult['schedule'];
  notices: MgntResult['notices'];
  backend: string | null;
}

function summary(r: MgntResult, backend: string | null): Summary {
  return { className: r.className, size: r.size, nonBlack: r.gray.filter((v) => v > 0).length, schedule: r.schedule, notices: r.notices, backend };
}

async function element(budget?: number): Promise<{ result: Summary; errors: Array<{ type: string; fatal: boolean; message: string }> }> {
  const errors: Array<{ type: string; fatal: boolean; message: string }> = [];
  el.addEventListener('error', (e) => errors.push(e.detail)); // typed: CustomEvent<MgntErrorDetail>
  el.budget = budget ?? null;
  const r = await el.generate();
  return { result: summary(r, el.backend), errors };
}

async function api(options: GenerateOptions): Promise<{ result: Summary; steps: number; aborted: string; afterDestroy: string }> {
  const g = await loadModel(MODEL, { onProgress: (p) => void p.loaded });
  // @ts-expect-error class takes a name, an index or null
  void (() => g.generate({ class: true }));
  // An aborted generation rejects with AbortError; the generator stays usable.
  const ac = new AbortController();
  const first = g.generate({ class: 'sneaker', seed: 1, steps: 4, signal: ac.signal });
  ac.abort();
  const aborted = await first.then(() => 'resolved', (e: Error) => e.name);
  let steps = 0;
  const r = await g.generate({ ...options, onProgress: () => steps++ });
  const result = summary(r, g.backend);
  await g.destroy();
  const afterDestroy = await g.generate(options).then(() => 'resolved', (e: unknown) => (e instanceof MgntError ? `MgntError ${e.type}` : String(e)));
  return { result, steps, aborted, afterDestroy };
}

declare global {
  interface Window {
    mgntApp: { element: typeof element; api: typeof api; ready: boolean };
  }
}
window.mgntApp = { element, api, ready: true };

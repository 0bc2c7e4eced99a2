// Test page for <mgnt-canvas> from source. `?main` runs sessions on the main thread; `?defer`
// creates an element and sets its properties before the element is defined (upgrade path).
const params = new URLSearchParams(location.search);

declare global {
  interface Window {
    deferred?: HTMLElement & Record<string, unknown>;
    events: Array<{ id: string; type: string; detail: any }>;
    MgntCanvas?: typeof import('../../src/element/mgnt-canvas').MgntCanvas;
  }
}

window.events = [];
for (const type of ['load', 'progress', 'generate', 'error']) {
  // Capture at the document: every element's events, in order.
  document.addEventListener(type, (e) => {
    const t = e.target as HTMLElement;
    if (t.localName === 'mgnt-canvas') window.events.push({ id: t.id, type, detail: (e as CustomEvent).detail });
  }, true);
}

if (params.has('defer')) {
  const el = document.createElement('mgnt-canvas' as string) as HTMLElement & Record<string, unknown>;
  el.id = 'deferred';
  el.seed = 42;
  el.steps = 3;
  el.schedule = 'baseline';
  el.model = params.get('model');
  el.loading = 'eager';
  el.autoplay = true;
  document.getElementById('stage')!.append(el);
  window.deferred = el;
}

const { MgntCanvas } = await import('../../src/element/index');
if (params.has('main')) MgntCanvas.useWorker = false;
window.MgntCanvas = MgntCanvas;
document.getElementById('status')!.textContent = 'ready';
export {};

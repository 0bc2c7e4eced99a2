// The demo's offline copy: registers the service worker that vite-plugin-pwa (Workbox) generates
// for the demo build (vite.demo.config.ts), and says on the page what state it is in. Only the
// demo build defines MGNT_OFFLINE: the dev server and the library have no service worker.
//
// Versions never mix: the worker precaches every file of one build (a revision per file) and
// serves only those to the pages it controls. A new deploy's worker installs its own precache
// and then waits; the page offers a reload, which activates it and reloads everything from the
// new precache at once (the old entries are deleted on activation).

const INSTALL_FAILED = 'offline copy: could not be saved (the service worker failed to install; the storage may be full). The demo works online as usual.';

/** States shown in `data-state`: tests wait on them. */
export type OfflineState = 'dev' | 'unsupported' | 'failed' | 'installing' | 'ready' | 'update';

export function registerOffline(out: HTMLElement): void {
  const show = (state: OfflineState, text: string) => {
    out.dataset.state = state;
    out.textContent = text;
  };
  if (!import.meta.env.MGNT_OFFLINE) return show('dev', 'offline copy: only in the demo build (npm run build:demo)');
  const version = String(import.meta.env.MGNT_BUILD ?? '');
  if (!('serviceWorker' in navigator)) {
    return show('unsupported', 'offline copy: not available (no service workers here: a private window, or a page not on https or localhost)');
  }
  const sw = navigator.serviceWorker;
  const base = import.meta.env.BASE_URL;
  const ready = () => show('ready', `offline copy: ready, version ${version} (the page, its scripts and the model work without a network)`);

  const watch = (w: ServiceWorker, first: boolean) => {
    const check = () => {
      if (w.state === 'installed' && !first) offerUpdate(w);
      else if (w.state === 'activated' && sw.controller) ready();
      else if (w.state === 'redundant' && out.dataset.state === 'installing') {
        // Install failed: usually the precache did not fit (quota), or a file could not be fetched.
        show('failed', INSTALL_FAILED);
      }
    };
    w.addEventListener('statechange', check);
    check();
  };

  const offerUpdate = (w: ServiceWorker) => {
    if (out.dataset.state === 'update') return; // offered already (seen by two listeners)
    show('update', 'offline copy: a new version is ready. ');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'reload to use it';
    // Workbox's worker skips waiting on this message; the controller change then reloads the page once.
    b.addEventListener('click', () => {
      sw.addEventListener('controllerchange', () => location.reload(), { once: true });
      w.postMessage({ type: 'SKIP_WAITING' });
    });
    out.append(b);
  };

  sw.addEventListener('controllerchange', () => {
    if (out.dataset.state === 'installing') ready();
  });
  sw.register(`${base}sw.js`, { scope: base }).then(
    (reg) => {
      const first = !sw.controller; // nothing controls the page yet: the first install, not an update
      if (reg.waiting && sw.controller) offerUpdate(reg.waiting);
      else if (reg.active && sw.controller) ready();
      else if (reg.active && !reg.installing && !reg.waiting) show('ready', `offline copy: saved, version ${version}; this load bypassed it (a hard reload): a normal reload uses it`);
      else if (!reg.installing) show('failed', INSTALL_FAILED); // it failed before we looked
      else show('installing', 'offline copy: saving the page and the model for offline use…');
      if (reg.installing) watch(reg.installing, first);
      reg.addEventListener('updatefound', () => reg.installing && watch(reg.installing, !sw.controller));
    },
    (e: unknown) => show('failed', `offline copy: unavailable: the service worker could not be registered (${(e as Error).message}). The demo works online as usual.`),
  );
}

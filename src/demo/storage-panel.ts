// The demo's "stored on this device" panel: what mgnt keeps in IndexedDB per model and how much,
// the origin's usage and quota, whether the browser was asked to keep it, and buttons to delete
// one model, clear everything, or ask for persistent storage.
import { clearStoredModels, deleteStoredModel, listStoredModels, persistStorage, storageEstimate, storagePersisted, type StoredModel } from '../store';

/** Bytes for people: 1.2 MB, 340 KB, 12 B. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

function describe(m: StoredModel): string {
  const name = m.name ?? 'cached results of checkpoints no longer stored';
  const parts = [`${m.files.length} file${m.files.length === 1 ? '' : 's'} ${formatBytes(m.fileBytes)}`];
  if (m.cacheBytes) parts.push(`cached steps and results ${formatBytes(m.cacheBytes)}`);
  if (m.name !== null && !m.complete) parts.push('incomplete: the next load downloads the rest');
  return `${name}: ${formatBytes(m.bytes)} (${parts.join(', ')})`;
}

export class StoragePanel {
  private busy = false;

  constructor(private root: HTMLElement) {
    root.innerHTML = `<p class="stored-summary" aria-live="polite">–</p><ul class="stored-list"></ul>
      <p class="stored-buttons"><button type="button" data-act="refresh">refresh</button>
      <button type="button" data-act="clear">clear stored data</button>
      <button type="button" data-act="persist" title="navigator.storage.persist(): without it the browser may evict the data (Safari after a week without a visit)">keep it on this device</button></p>
      <p class="stored-note"></p>`;
    root.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('button');
      if (!b) return;
      if (b.dataset.act === 'refresh') void this.refresh();
      else if (b.dataset.act === 'clear') void this.act(async () => `Cleared ${formatBytes(await clearStoredModels())}. The model in use stays loaded; the next visit downloads it again.`);
      else if (b.dataset.act === 'persist') void this.act(async () => {
        const r = await persistStorage();
        return r === 'granted' ? 'The browser will keep this data (persistent storage granted).'
          : r === 'denied' ? 'The browser declined persistent storage for now (Chrome decides from how much the site is used); the data is kept as long as space allows.'
          : 'This browser cannot make storage persistent.';
      });
      else if (b.dataset.model !== undefined) {
        const name = b.dataset.model === '' ? null : b.dataset.model;
        void this.act(async () => `Deleted ${name ?? 'cached results'}: ${formatBytes(await deleteStoredModel(name))} freed.`);
      }
    });
  }

  private note(text: string): void {
    this.root.querySelector('.stored-note')!.textContent = text;
  }

  private async act(f: () => Promise<string>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.note(await f());
    } catch (e) {
      this.note(`Error: ${(e as Error).message}`);
    } finally {
      this.busy = false;
    }
    await this.refresh();
  }

  /** Reads the store again and redraws the list. */
  async refresh(): Promise<void> {
    const summary = this.root.querySelector('.stored-summary')!;
    const list = this.root.querySelector('.stored-list')!;
    try {
      const [models, est, persisted] = await Promise.all([listStoredModels(), storageEstimate(), storagePersisted()]);
      const total = models.reduce((a, m) => a + m.bytes, 0);
      const origin = est ? ` The site uses ${formatBytes(est.usage)} of ${formatBytes(est.quota)} available (with the offline copy of the app).` : '';
      const keep = persisted === null ? '' : persisted ? ' Persistent: yes.' : ' Persistent: no (the browser may evict it).';
      summary.textContent = (models.length ? `${formatBytes(total)} in IndexedDB.` : 'Nothing stored in IndexedDB.') + origin + keep;
      this.root.dataset.bytes = String(total);
      list.replaceChildren(...models.map((m) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.model = m.name ?? '';
        b.textContent = 'delete';
        li.append(describe(m), ' ', b);
        return li;
      }));
    } catch (e) {
      summary.textContent = `Could not read the storage: ${(e as Error).message}`;
    }
  }
}

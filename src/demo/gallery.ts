// The gallery: every finished image as a card with its settings and figures; a click sends it
// to the inpainting editor. It can also fill itself with one image of every class, decoded as
// one batch (session.generateBatch: one pass per step for all of them).
import { grayToBlob } from '../element/draw';
import type { SessionRequest } from '../pipeline/request';
import type { SessionApi, SessionResult } from '../pipeline/session';

export interface GalleryItem {
  result: SessionResult;
  className: string;
  schedule: string;
  inpainted: boolean;
}

export class Gallery {
  constructor(private list: HTMLOListElement, private onPick: (item: GalleryItem) => void) {}

  async add(item: GalleryItem): Promise<void> {
    const r = item.result;
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.title = 'Inpaint from this image';
    const img = document.createElement('img');
    img.width = img.height = 84;
    img.alt = `${item.className}, seed ${r.seed}, ${item.schedule}${item.inpainted ? ', inpainted' : ''}`;
    img.src = URL.createObjectURL(await grayToBlob(r.gray, r.size, 3));
    const cap = document.createElement('span');
    cap.textContent = `${item.className} · ${item.schedule}${item.inpainted ? ' · inpainted' : ''} · seed ${r.seed} · ${r.gflops.toFixed(2)} GFLOPs · ${r.ms.toFixed(0)} ms`;
    button.append(img, cap);
    button.addEventListener('click', () => this.onPick(item));
    li.append(button);
    this.list.prepend(li);
  }

  /**
   * One image of every class with the same settings, decoded together; the cards appear when
   * the batch is done. Returns a line for the page: images, batch size, ms per image.
   */
  async fill(session: SessionApi, base: SessionRequest, classes: string[], schedule: string): Promise<string> {
    const reqs = classes.map((_, i) => ({ ...base, classIndex: i, preview: false }));
    const t0 = performance.now();
    const results = await session.generateBatch(reqs);
    const ms = performance.now() - t0;
    for (const [i, r] of results.entries()) await this.add({ result: { ...r, ms: r.ms / (r.batch?.size ?? 1) }, className: classes[i], schedule, inpainted: false });
    const sizes = [...new Set(results.map((r) => r.batch?.size ?? 1))].join('/');
    return `${results.length} images in batches of ${sizes}: ${(ms / results.length).toFixed(0)} ms per image`;
  }
}

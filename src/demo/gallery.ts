// The gallery: every finished image as a card with its settings and figures; a click sends it
// to the inpainting editor.
import { grayToBlob } from '../element/draw';
import type { SessionResult } from '../pipeline/session';

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
}

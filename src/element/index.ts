// The library entry (`npm run build` → dist/mgnt-canvas.js): defines <mgnt-canvas> once.
import { MgntCanvas } from './mgnt-canvas';

export { MgntCanvas };
export type { MgntResult, MgntEncoded, MgntProgressDetail, MgntErrorDetail } from './mgnt-canvas';

if (!customElements.get('mgnt-canvas')) customElements.define('mgnt-canvas', MgntCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'mgnt-canvas': MgntCanvas;
  }
}

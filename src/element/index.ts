// The library entry (`npm run build` → dist/mgnt-canvas.js): defines <mgnt-canvas> once.
import { MgntCanvas } from './mgnt-canvas';
import './storage'; // attaches the static storage methods (MgntCanvas.listStoredModels, …)

export { MgntCanvas };
export type { MgntResult, MgntEncoded, MgntProgressDetail, MgntErrorDetail } from './mgnt-canvas';
export type { PersistResult, StoredModel, StoredFile } from '../store';

if (!customElements.get('mgnt-canvas')) customElements.define('mgnt-canvas', MgntCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'mgnt-canvas': MgntCanvas;
  }
}

// The element entry (`npm run build` → dist/mgnt-canvas.js; `import 'mgnt/element'` from the
// package): defines <mgnt-canvas> unless something already did. Two bundles on one page (say a
// CDN script and an npm build) each carry their own class; the second one to run keeps the first
// definition instead of throwing NotSupportedError from customElements.define.
import { MgntCanvas } from './mgnt-canvas';
import './events';
import './storage'; // attaches the static storage methods (MgntCanvas.listStoredModels, …)

export { MgntCanvas };
export { MgntError } from '../gpu/errors';
export type * from '../api/types';
export type { MgntCanvasAttributes } from './jsx';
export type { MgntCanvasEventMap } from './events';

if (!customElements.get('mgnt-canvas')) customElements.define('mgnt-canvas', MgntCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'mgnt-canvas': MgntCanvas;
  }
}

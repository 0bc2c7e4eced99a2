// Where <mgnt-canvas> and loadModel() find the model when given none. The built module resolves it
// against its own URL (dist/models/ sits next to dist/mgnt-canvas.js, since Vite copies public/
// into dist/), so one script tag from any origin is enough. The dev server serves public/ at /.
const SHIPPED = 'models/fmnist-s/manifest.json';

export function defaultModelUrl(): string {
  const base = import.meta.env.DEV ? new URL('/', location.href).href : import.meta.url;
  return new URL(SHIPPED, base).href;
}

/** A `model` attribute is resolved against the document, like an <img src>. */
export function resolveModelUrl(attr: string | null): string {
  return attr ? new URL(attr, document.baseURI).href : defaultModelUrl();
}

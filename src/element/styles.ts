// The element's shadow styles. Everything a page may want to change is a custom property.
export const STYLES = `
:host {
  display: inline-block;
  position: relative;
  width: var(--mgnt-size, 224px);
  aspect-ratio: 1;
  contain: content;
  background: var(--mgnt-background, #000);
  border-radius: var(--mgnt-border-radius, 8px);
  overflow: hidden;
  vertical-align: middle;
}
:host([hidden]) { display: none; }
canvas {
  display: block;
  width: 100%;
  height: 100%;
  image-rendering: var(--mgnt-image-rendering, pixelated);
  filter: var(--mgnt-filter, none);
  transition: opacity 0.2s;
}
.progress {
  position: absolute;
  left: 0;
  bottom: 0;
  height: var(--mgnt-progress-height, 3px);
  width: 0;
  background: var(--mgnt-progress-color, #4f8cff);
  transition: width 0.15s;
}
.status {
  position: absolute;
  inset: auto 0 var(--mgnt-progress-height, 3px) 0;
  padding: 0.3em 0.5em;
  font: var(--mgnt-status-font, 12px/1.3 system-ui, sans-serif);
  color: var(--mgnt-status-color, #ddd);
  background: var(--mgnt-status-background, rgba(0, 0, 0, 0.55));
}
.status:empty { display: none; }
.play {
  position: absolute;
  top: 6px;
  right: 6px;
  min-width: 2em;
  font: var(--mgnt-play-font, 12px/1.6 system-ui, sans-serif);
  color: var(--mgnt-status-color, #ddd);
  background: var(--mgnt-status-background, rgba(0, 0, 0, 0.55));
  border: 0;
  border-radius: 4px;
  cursor: pointer;
}
.play[hidden] { display: none; }
`;

let sheetCache: CSSStyleSheet | null | undefined;
/** One constructed stylesheet for all instances: CSSOM, so a strict CSP without 'unsafe-inline' allows it. */
export function sharedSheet(): CSSStyleSheet | null {
  if (sheetCache === undefined) {
    sheetCache = typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype ? new CSSStyleSheet() : null;
    sheetCache?.replaceSync(STYLES);
  }
  return sheetCache;
}

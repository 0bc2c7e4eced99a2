// JSX typings without React installed (the global JSX namespace from mgnt/element's typings).
// Type-checked only: the app does not import it (rendering JSX needs a framework it does not have).
import type { MgntCanvasAttributes } from 'mgnt/element';

const props: MgntCanvasAttributes = { class: 'dress', seed: 4, budget: '0.3', autoplay: true };
const view = <mgnt-canvas class="dress" seed={4} loading="eager" autoplay aria-label="a dress" />;
// @ts-expect-error loading is 'lazy' or 'eager'
const bad = <mgnt-canvas loading="soon" />;
export const views = [view, bad, props];

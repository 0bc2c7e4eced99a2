// <mgnt-canvas> in a React 19 app: props and the ref typed from mgnt/element, React's own
// elements untouched. @ts-expect-error fails the check if the typings decay to `any`.
import type {} from 'mgnt/element';
export const ok = <mgnt-canvas class="dress" seed={4} loading="eager" autoplay aria-label="a dress" ref={(el) => el?.generate()} />;
export const div = <div className="x" />;
// @ts-expect-error loading is 'lazy' or 'eager'
export const bad = <mgnt-canvas loading="soon" />;

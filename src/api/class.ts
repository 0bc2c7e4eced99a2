// The library API's `class` option: a name, an index, or null / "none" (unconditional). Pure, so
// the rule and its error message are unit-tested (tests/api-class.test.ts).
import { MgntError } from '../gpu/errors';

/** A class name or index (or null / "none") → the model's class index, or a bad-attribute error naming the choices. */
export function classIndexOf(c: string | number | null | undefined, classes: readonly string[]): number | null {
  if (c === undefined) return 0;
  if (c === null || c === 'none') return null;
  const i = typeof c === 'number' ? (Number.isInteger(c) && c >= 0 && c < classes.length ? c : -1) : classes.indexOf(c);
  if (i < 0) {
    throw new MgntError('bad-attribute', `class ${typeof c === 'string' ? JSON.stringify(c) : String(c)} is not a class of this model: give an index 0..${classes.length - 1}, a name (${classes.join(', ')}), or null for unconditional`);
  }
  return i;
}

import { describe, expect, it } from 'vitest';
import { classIndexOf } from '../src/api/class';
import { MgntError } from '../src/gpu/errors';

const classes = ['t-shirt', 'trouser', 'pullover'];

describe('the library API class option', () => {
  it('takes a name, an index, null or "none"; 0 when left out', () => {
    expect(classIndexOf('trouser', classes)).toBe(1);
    expect(classIndexOf(2, classes)).toBe(2);
    expect(classIndexOf(null, classes)).toBeNull();
    expect(classIndexOf('none', classes)).toBeNull();
    expect(classIndexOf(undefined, classes)).toBe(0);
  });
  it('rejects anything else with bad-attribute naming the value and the choices', () => {
    for (const bad of ['hat', 3, -1, 1.5, NaN, '1']) {
      let e: unknown;
      try {
        classIndexOf(bad, classes);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(MgntError);
      expect((e as MgntError).type).toBe('bad-attribute');
      expect((e as MgntError).message).toBe(`class ${typeof bad === 'string' ? `"${bad}"` : String(bad)} is not a class of this model: give an index 0..2, a name (t-shirt, trouser, pullover), or null for unconditional`);
    }
  });
});

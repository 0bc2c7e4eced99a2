import { describe, expect, it } from 'vitest';
import { accessibleName, parseClass, parseLoading, parseNumber, validateAttribute } from '../src/element/attributes';
import { requestKey, resolveRequest } from '../src/pipeline/request';
import { syntheticManifest } from '../src/model/synthetic';

const names = ['t-shirt', 'trouser', 'dress'];

describe('<mgnt-canvas> attribute parsing', () => {
  it('class: index, name (any case), none, styling tokens ignored when one names a class', () => {
    expect(parseClass(null, names)).toBe(0);
    expect(parseClass('2', names)).toBe(2);
    expect(parseClass('Dress', names)).toBe(2);
    expect(parseClass('card big trouser', names)).toBe(1);
    expect(parseClass('none', names)).toBe(null);
    expect(parseClass('card', null)).toBe(undefined); // names unknown before loading
    expect(() => parseClass('hat', names)).toThrow(/class="hat".*t-shirt, trouser, dress/);
    expect(() => parseClass('7', names)).toThrow(/bad|not valid/);
  });

  it('numbers: ranges and integers are checked, empty means default', () => {
    expect(parseNumber('seed', '12', { integer: true, min: 0 })).toBe(12);
    expect(parseNumber('seed', '', { integer: true, min: 0 })).toBe(null);
    expect(() => parseNumber('seed', '1.5', { integer: true, min: 0 })).toThrow(/seed="1.5".*integer/);
    expect(() => parseNumber('temperature', '0', { min: 0, exclusiveMin: true })).toThrow(/> 0/);
    expect(() => validateAttribute('guidance', '-1')).toThrow(/≥ 0/);
    expect(() => validateAttribute('time-budget', '200')).not.toThrow();
    expect(() => validateAttribute('time-budget', '')).not.toThrow();
    for (const v of ['0', '-5', 'fast', 'Infinity']) {
      expect(() => validateAttribute('time-budget', v)).toThrow(`<mgnt-canvas> time-budget="${v}" is not valid: expected a time in milliseconds > 0, e.g. time-budget="200"`);
    }
    expect(parseLoading(null)).toBe('lazy');
    expect(() => parseLoading('soon')).toThrow(/lazy.*eager/);
  });
});

describe('session requests', () => {
  const m = syntheticManifest({ layers: 1, dim: 64, heads: 8, mlp: 128 });
  it('fills defaults from the manifest and resolves the schedule', () => {
    const r = resolveRequest(m, { classIndex: 3, steps: 4, schedule: 'baseline' });
    expect(r).toMatchObject({ classIndex: 3, seed: 0, steps: 4, widths: [1, 1, 1, 1], guidance: 2, temperature: 1, cache: true, reuse: true });
    expect(() => resolveRequest(m, { steps: 3, schedule: '1/8,1' })).toThrow(/schedule/);
  });
  it('the result-cache key covers everything that changes the image and nothing else', () => {
    const a = resolveRequest(m, { classIndex: 1, seed: 5 });
    expect(requestKey(a)).toBe(requestKey(resolveRequest(m, { classIndex: 1, seed: 5, preview: true, reuse: false })));
    expect(requestKey(a)).not.toBe(requestKey(resolveRequest(m, { classIndex: 1, seed: 6 })));
    expect(requestKey(a)).not.toBe(requestKey(resolveRequest(m, { classIndex: 1, seed: 5, guidance: 1 })));
    expect(requestKey(a)).not.toBe(requestKey(resolveRequest(m, { classIndex: 1, seed: 5, fixed: { positions: [0], tokens: [3] } })));
  });
});

describe('accessibleName', () => {
  const info = { classes: ['t-shirt', 'sneaker'], frames: 1 };
  it('names what the element shows and of which class', () => {
    expect(accessibleName('sneaker', info)).toBe('Generated image of a sneaker');
    expect(accessibleName('1', { ...info, frames: 9 })).toBe('Generated clip of a sneaker');
    expect(accessibleName('none', info)).toBe('Generated image');
    expect(accessibleName('3', null)).toBe('Generated image of class 3');
  });
  it('falls back to a plain name for a class the model does not have', () => {
    expect(accessibleName('hat', info)).toBe('Generated image');
  });
});

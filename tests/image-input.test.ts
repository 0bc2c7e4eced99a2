import { describe, expect, it } from 'vitest';
import { borderMean, fitRect, rgbaToGray } from '../src/element/image-input';

describe('image input for encode()', () => {
  it('RGBA → gray8 by Rec. 601 luma, composited over black by alpha', () => {
    const px = [255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 0, 200, 200, 200, 128, 10, 20, 30, 255];
    expect(Array.from(rgbaToGray(px))).toEqual([255, 0, 76, 150, 29, 0, 100, 18]);
  });

  it('invert maps v → 255 − v after compositing (transparent becomes white)', () => {
    expect(Array.from(rgbaToGray([255, 255, 255, 255, 0, 0, 0, 255, 9, 9, 9, 0], true))).toEqual([0, 255, 255]);
  });

  it('ignores a trailing partial pixel and clamps', () => {
    expect(Array.from(rgbaToGray(new Uint8ClampedArray([255, 255, 255, 255, 7, 7])))).toEqual([255]);
  });

  it('border mean: the outer ring only, each pixel once', () => {
    const g = new Uint8Array(16).fill(0);
    for (const i of [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 14, 15]) g[i] = 240;
    g[5] = g[6] = g[9] = g[10] = 0;
    expect(borderMean(g, 4)).toBe(240);
    g[0] = 0;
    expect(borderMean(g, 4)).toBe(220);
    expect(borderMean([77], 1)).toBe(77);
    expect(borderMean(new Uint8Array(784).fill(9), 28)).toBe(9);
  });

  it('fitRect keeps the aspect and centres', () => {
    expect(fitRect(112, 84, 28)).toEqual({ x: 0, y: 3.5, w: 28, h: 21 });
    expect(fitRect(10, 40, 28)).toEqual({ x: 10.5, y: 0, w: 7, h: 28 });
    expect(fitRect(5, 5, 28)).toEqual({ x: 0, y: 0, w: 28, h: 28 });
  });
});

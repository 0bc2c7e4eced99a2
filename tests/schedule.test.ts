import { describe, expect, it } from 'vitest';
import { choiceNoise, guidanceScale, maskCounts, parseSchedule, resample, selectFixed } from '../src/pipeline/schedule';

describe('maskCounts', () => {
  it('follows the cosine schedule and ends fully decoded', () => {
    const m = maskCounts(64, 12);
    expect(m).toHaveLength(12);
    expect(m[11]).toBe(0);
    expect(m[0]).toBe(Math.floor(64 * Math.cos(Math.PI / 24)));
    for (let t = 1; t < m.length; t++) expect(m[t]).toBeLessThan(m[t - 1]);
  });
  it('fixes one token per step when steps equal tokens', () => {
    expect(maskCounts(5, 5)).toEqual([4, 3, 2, 1, 0]);
  });
  it('handles one step and inpainting counts', () => {
    expect(maskCounts(64, 1)).toEqual([0]);
    expect(maskCounts(7, 3)).toEqual([6, 3, 0]);
  });
  it('rejects impossible requests', () => {
    expect(() => maskCounts(4, 5)).toThrow(/steps/);
    expect(() => maskCounts(0, 1)).toThrow(/≥ 1/);
    expect(() => maskCounts(64, 0)).toThrow(/steps/);
    expect(() => maskCounts(64, NaN)).toThrow(/steps/);
  });
});

describe('scales', () => {
  it('ramps guidance to g and noise to 0', () => {
    expect(guidanceScale(2, 11, 12)).toBe(2);
    expect(guidanceScale(2, 0, 4)).toBe(0.5);
    expect(choiceNoise(4.5, 11, 12)).toBe(0);
    expect(choiceNoise(4, 0, 4)).toBe(3);
  });
});

describe('selectFixed', () => {
  it('keeps the most confident, ties to the smaller position', () => {
    expect(selectFixed([3, 7, 9, 12], [0.1, 0.5, 0.5, -1], 1)).toEqual([7, 9, 3]);
    expect(selectFixed([3, 7], [0, 0], 1)).toEqual([3]);
    expect(selectFixed([1, 2], [5, 6], 2)).toEqual([]);
  });
});

describe('parseSchedule', () => {
  const magnets = [0.125, 0.125, 0.25, 0.25, 0.5, 1];
  it('parses names and lists', () => {
    expect(parseSchedule('baseline', 3, magnets)).toEqual([1, 1, 1]);
    expect(parseSchedule('magnets', 6, magnets)).toEqual(magnets);
    expect(parseSchedule('1/8, 0.25,1/2,1', 4, magnets)).toEqual([0.125, 0.25, 0.5, 1]);
  });
  it('names the bad entry', () => {
    expect(() => parseSchedule('0.3,1', 2, magnets)).toThrow(/"0.3"/);
    expect(() => parseSchedule('1,1', 3, magnets)).toThrow(/one width per step/);
    expect(() => parseSchedule('fast', 1, magnets)).toThrow(/"fast"/);
  });
  it('resamples to other step counts', () => {
    expect(resample(magnets, 12)).toEqual([0.125, 0.125, 0.125, 0.125, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 1, 1]);
    expect(resample(magnets, 3)).toEqual([0.125, 0.25, 1]);
  });
});

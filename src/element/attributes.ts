// Parsing and validating <mgnt-canvas> attributes. Pure: every failure is a `bad-attribute`
// MgntError naming the attribute, the value and what is accepted.
import { MgntError } from '../gpu/errors';

export const OBSERVED = ['model', 'class', 'seed', 'steps', 'schedule', 'budget', 'time-budget', 'guidance', 'temperature', 'loading', 'autoplay', 'context-clip', 'context-frames'] as const;
export type Observed = (typeof OBSERVED)[number];

const bad = (name: string, value: string, want: string) =>
  new MgntError('bad-attribute', `<mgnt-canvas> ${name}="${value}" is not valid: ${want}`);

/** An optional number attribute; null when absent or empty. */
export function parseNumber(name: string, value: string | null, check: { integer?: boolean; min?: number; exclusiveMin?: boolean }): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  const ok = Number.isFinite(n) && (!check.integer || Number.isSafeInteger(n)) &&
    (check.min === undefined || (check.exclusiveMin ? n > check.min : n >= check.min));
  if (!ok) {
    const kind = check.integer ? 'an integer' : 'a number';
    const range = check.min === undefined ? '' : check.exclusiveMin ? ` > ${check.min}` : ` ≥ ${check.min}`;
    throw bad(name, value, `expected ${kind}${range}`);
  }
  return n;
}

export function parseLoading(value: string | null): 'lazy' | 'eager' {
  if (value === null || value === '' || value === 'lazy') return 'lazy';
  if (value === 'eager') return 'eager';
  throw bad('loading', value, 'expected "lazy" or "eager"');
}

/**
 * The class attribute holds a class name or index ("dress", "3"; "none" for unconditional).
 * Because `class` is also HTML's styling attribute, tokens that name no model class are ignored
 * as long as one token does. Returns undefined while the names are not known yet (not loaded).
 */
export function parseClass(value: string | null, classes: readonly string[] | null): number | null | undefined {
  const tokens = (value ?? '').trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return 0;
  for (const t of tokens) {
    if (/^(none|unconditional)$/i.test(t)) return null;
    if (/^\d+$/.test(t)) {
      const i = Number(t);
      if (!classes || i < classes.length) return i;
    }
    const k = classes?.findIndex((c) => c.toLowerCase() === t.toLowerCase()) ?? -1;
    if (k >= 0) return k;
  }
  if (!classes) return undefined;
  throw bad('class', value ?? '', `expected a class index 0..${classes.length - 1}, "none", or one of: ${classes.join(', ')}`);
}

/** Validates whatever can be validated without the model; throws the first problem. */
export function validateAttribute(name: Observed, value: string | null): void {
  switch (name) {
    case 'seed': parseNumber(name, value, { integer: true, min: 0 }); break;
    case 'steps': parseNumber(name, value, { integer: true, min: 1 }); break;
    case 'guidance': parseNumber(name, value, { min: 0 }); break;
    case 'budget': {
      const b = parseNumber(name, value, { min: 0, exclusiveMin: true });
      if (b !== null && b > 1) throw bad(name, value ?? '', 'expected a fraction of the full-width cost in (0, 1]');
      break;
    }
    case 'time-budget': {
      const n = value === null || value.trim() === '' ? null : Number(value);
      if (n !== null && !(Number.isFinite(n) && n > 0)) throw bad(name, value ?? '', 'expected a time in milliseconds > 0, e.g. time-budget="200"');
      break;
    }
    case 'temperature': parseNumber(name, value, { min: 0, exclusiveMin: true }); break;
    case 'context-clip': parseNumber(name, value, { integer: true, min: 0 }); break;
    case 'context-frames': parseNumber(name, value, { integer: true, min: 1 }); break;
    case 'loading': parseLoading(value); break;
    default: break;
  }
}

/** The element's accessible name: what it shows, of which class (`Generated clip of a sneaker`). */
export function accessibleName(classAttr: string | null, info: { classes: string[]; frames?: number } | null): string {
  try {
    const k = parseClass(classAttr, info?.classes ?? null);
    const what = (info?.frames ?? 1) > 1 ? 'Generated clip' : 'Generated image';
    if (k === null) return what;
    return k === undefined || !info ? `${what} of class ${k ?? classAttr}` : `${what} of a ${info.classes[k]}`;
  } catch {
    return 'Generated image';
  }
}

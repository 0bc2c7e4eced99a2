import { MgntError } from '../gpu/errors';

export const MANIFEST_FORMAT = 'mgnt-checkpoint';
export const MANIFEST_VERSION = 1;

export interface TransformerConfig {
  layers: number;
  dim: number;
  heads: number;
  mlp: number;
  codebook_size: number;
  num_classes: number;
  seq_len: number;
  /** Token grid: [h, w] for an image model, [L, h, w] (latent frames first) for video (SPEC §8). */
  grid: number[];
  mask_token: number;
  null_class: number;
  widths: number[];
}

export interface TokenizerConfig {
  code_dim: number;
  codebook_size: number;
  /** [c0..cn]: n ×2 upsamplings (SPEC §8; [c0, c1, c2] in the image checkpoints). */
  decoder: { channels: number[]; groups: number };
  /** The VQ encoder (image → tokens); absent in checkpoints exported before it shipped. */
  encoder?: EncoderConfig;
  image_size: number;
  pad: number;
  /** Frames per clip T (absent: 1, an image model). */
  frames?: number;
  /** Frames per latent frame G, grouped causally (absent: 1). */
  group?: number;
  /** Optional file (listed with optional: true) holding held-out clips, tensor `clips` [n, T, S, S]. */
  test_clips?: string;
}

export interface EncoderConfig {
  /** [e0..en]: n 2×2 average poolings. */
  channels: number[];
  groups: number;
  /** The files entry (marked optional) that holds the enc.* tensors. */
  file: string;
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  /** Not fetched at load; fetched the first time it is needed (the encoder's file). */
  optional?: boolean;
}

export interface Manifest {
  format: string;
  version: number;
  name: string;
  transformer: TransformerConfig;
  tokenizer: TokenizerConfig;
  classes: string[];
  decode_defaults: {
    steps: number;
    temperature: number;
    choice_temperature: number;
    guidance: number;
    schedules: Record<string, number[]>;
    /** Quality–compute Pareto front measured by train/evaluate.py (train/front.py). */
    pareto?: Array<{ name: string; widths: number[]; cache: boolean; fraction: number; gflops: number; accuracy: number; fid: number }>;
  };
  files: ManifestFile[];
  /** Playback of a video model's clips. */
  video?: { fps: number };
  [extra: string]: unknown;
}

function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new MgntError('format', `manifest.json: ${what}`);
}

const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/** Validates a parsed manifest; every message names the field and what was expected. */
export function validateManifest(m: unknown): Manifest {
  need(m && typeof m === 'object', 'is not a JSON object');
  const x = m as Manifest;
  need(x.format === MANIFEST_FORMAT, `format is ${JSON.stringify(x.format)}, expected "${MANIFEST_FORMAT}"`);
  need(
    x.version === MANIFEST_VERSION,
    `version ${JSON.stringify(x.version)} is not supported by this build of mgnt (supports ${MANIFEST_VERSION}); update mgnt or re-export the checkpoint`,
  );
  const t = x.transformer;
  need(t && typeof t === 'object', 'has no "transformer" section');
  for (const k of ['layers', 'dim', 'heads', 'mlp', 'codebook_size', 'num_classes', 'seq_len'] as const) {
    need(posInt(t[k]), `transformer.${k} must be a positive integer, got ${JSON.stringify(t[k])}`);
  }
  need(Array.isArray(t.widths) && t.widths.length > 0, 'transformer.widths must list the nested widths');
  need(t.dim % t.heads === 0, `transformer.dim ${t.dim} is not divisible by heads ${t.heads}`);
  for (const w of t.widths) {
    need(w > 0 && w <= 1, `width ${w} must be in (0, 1]`);
    need(Number.isInteger(w * t.heads) && Number.isInteger(w * t.mlp), `width ${w} does not give a whole number of heads and MLP units`);
  }
  need(
    Array.isArray(t.grid) && (t.grid.length === 2 || t.grid.length === 3) && t.grid.every(posInt),
    `transformer.grid must be [h, w] (image) or [L, h, w] (video: latent frames, rows, columns) of positive integers, got ${JSON.stringify(t.grid)}`,
  );
  const cells = t.grid.reduce((a, b) => a * b, 1);
  need(t.seq_len === 1 + cells, `transformer.seq_len ${t.seq_len} must be 1 + ${t.grid.join('·')} = ${1 + cells} (the class token and one per grid cell)`);
  const k = x.tokenizer;
  need(k && typeof k === 'object', 'has no "tokenizer" section');
  checkClip(t, k);
  need(k.decoder && Array.isArray(k.decoder.channels) && k.decoder.channels.length >= 2 && k.decoder.channels.every(posInt), `tokenizer.decoder.channels must list at least 2 positive channel counts (one per resolution level), got ${JSON.stringify(k.decoder?.channels)}`);
  checkLevels('decoder', k.decoder.channels.length - 1, t.grid, k);
  need(k.codebook_size === t.codebook_size, 'tokenizer and transformer disagree on codebook_size');
  need(Array.isArray(x.classes) && x.classes.length === t.num_classes, `classes must list ${t.num_classes} names`);
  need(Array.isArray(x.files) && x.files.length > 0, 'files must list the checkpoint files');
  for (const f of x.files) {
    need(typeof f.path === 'string' && !f.path.includes('..') && !f.path.startsWith('/'), `file path ${JSON.stringify(f.path)} must be relative`);
    need(/^[0-9a-f]{64}$/.test(f.sha256), `file ${f.path} has no valid sha256`);
    need(Number.isInteger(f.bytes) && f.bytes > 0, `file ${f.path} has no valid byte count`);
    need(f.optional === undefined || typeof f.optional === 'boolean', `file ${f.path}: optional must be true or false`);
  }
  need(x.files.some((f) => !f.optional), 'files must list at least one required (not optional) file');
  const e = k.encoder;
  if (e !== undefined) {
    need(e && typeof e === 'object' && Array.isArray(e.channels) && e.channels.length >= 2 && e.channels.every(posInt), `tokenizer.encoder.channels must list at least 2 positive channel counts (one per resolution level), got ${JSON.stringify(e?.channels)}`);
    checkLevels('encoder', e.channels.length - 1, t.grid, k);
    need(posInt(e.groups) && e.channels.every((c) => c % e.groups === 0), `tokenizer.encoder.groups must be a positive integer dividing every encoder channel count, got ${JSON.stringify(e.groups)}`);
    need(typeof e.file === 'string' && x.files.some((f) => f.path === e.file), `tokenizer.encoder.file ${JSON.stringify(e.file)} is not listed in files`);
  }
  if (k.test_clips !== undefined) {
    need(typeof k.test_clips === 'string' && x.files.some((f) => f.path === k.test_clips && f.optional), `tokenizer.test_clips ${JSON.stringify(k.test_clips)} must name a files entry marked "optional": true`);
  }
  if (x.video !== undefined) {
    need(x.video && typeof x.video === 'object' && typeof x.video.fps === 'number' && x.video.fps > 0 && x.video.fps <= 120, `video.fps must be a number in (0, 120], got ${JSON.stringify(x.video?.fps)}`);
  }
  return x;
}

/**
 * Frames T and group G against the grid (SPEC §8): (T − 1) % G == 0 and L = 1 + (T − 1)/G latent
 * frames, which must be grid[0] of a 3-long grid; a 2-long grid is one latent frame (an image when
 * T = 1, or T = G frames decoded from one latent).
 */
function checkClip(t: TransformerConfig, k: TokenizerConfig): void {
  const T = k.frames ?? 1, G = k.group ?? 1;
  need(posInt(T), `tokenizer.frames must be a positive integer (frames per clip), got ${JSON.stringify(k.frames)}`);
  need(posInt(G), `tokenizer.group must be a positive integer (frames per latent frame), got ${JSON.stringify(k.group)}`);
  need((T - 1) % G === 0, `tokenizer.frames ${T} and group ${G}: (frames − 1) must be a multiple of group (latent 0 holds frame 0 alone, every later latent ${G} frames); e.g. frames ${1 + G * Math.max(1, Math.round((T - 1) / G))}`);
  const L = 1 + (T - 1) / G;
  const gridL = t.grid.length === 3 ? t.grid[0] : 1;
  need(L === gridL, `tokenizer.frames ${T} with group ${G} make ${L} latent frame(s), but transformer.grid ${JSON.stringify(t.grid)} has ${gridL}` + (t.grid.length === 2 && L > 1 ? ` (a video grid is [${L}, h, w])` : ''));
}

/** n ×2 levels must take the h×w token grid to the padded image: h·2^n = image_size + 2·pad. */
function checkLevels(what: 'decoder' | 'encoder', n: number, grid: number[], k: TokenizerConfig): void {
  const [h, w] = grid.slice(-2);
  need(Number.isInteger(k.image_size) && k.image_size > 0 && Number.isInteger(k.pad) && k.pad >= 0, `tokenizer.image_size must be a positive integer and pad an integer ≥ 0, got ${k.image_size} and ${k.pad}`);
  const side = k.image_size + 2 * k.pad;
  need(h === w && h * 2 ** n === side, `tokenizer.${what}.channels has ${n + 1} entries (${n} ×2 levels): a ${h}×${w} token grid becomes ${h * 2 ** n}×${w * 2 ** n}, but image_size ${k.image_size} + 2·pad ${k.pad} is ${side}`);
}

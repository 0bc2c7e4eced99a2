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
  grid: [number, number];
  mask_token: number;
  null_class: number;
  widths: number[];
}

export interface TokenizerConfig {
  code_dim: number;
  codebook_size: number;
  decoder: { channels: [number, number, number]; groups: number };
  /** The VQ encoder (image → tokens); absent in checkpoints exported before it shipped. */
  encoder?: EncoderConfig;
  image_size: number;
  pad: number;
}

export interface EncoderConfig {
  channels: [number, number, number];
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
  need(Array.isArray(t.grid) && t.grid.length === 2 && t.seq_len === 1 + t.grid[0] * t.grid[1], 'transformer.seq_len must be 1 + grid[0]·grid[1]');
  const k = x.tokenizer;
  need(k && typeof k === 'object' && k.decoder && Array.isArray(k.decoder.channels) && k.decoder.channels.length === 3, 'tokenizer.decoder.channels must list 3 channel counts');
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
    need(e && typeof e === 'object' && Array.isArray(e.channels) && e.channels.length === 3 && e.channels.every(posInt), 'tokenizer.encoder.channels must list 3 positive channel counts');
    need(posInt(e.groups) && e.channels.every((c) => c % e.groups === 0), `tokenizer.encoder.groups must be a positive integer dividing every encoder channel count, got ${JSON.stringify(e.groups)}`);
    need(typeof e.file === 'string' && x.files.some((f) => f.path === e.file), `tokenizer.encoder.file ${JSON.stringify(e.file)} is not listed in files`);
  }
  return x;
}

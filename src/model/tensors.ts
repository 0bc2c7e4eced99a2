// The tensors a checkpoint must hold, with their shapes, derived from the manifest's config.
// Pure (no GPU imports), so Node scripts and tests can use it too.
import type { TokenizerConfig, TransformerConfig } from './manifest';

/** Every tensor the transformer needs, with its shape, in upload groups. */
export function transformerTensors(c: TransformerConfig): Array<{ group: string; name: string; shape: number[] }> {
  const D = c.dim, M = c.mlp, V = c.codebook_size;
  const out: Array<{ group: string; name: string; shape: number[] }> = [
    { group: 'embed', name: 'tok_emb', shape: [V + 1, D] },
    { group: 'embed', name: 'cls_emb', shape: [c.num_classes + 1, D] },
    { group: 'embed', name: 'pos_emb', shape: [c.seq_len, D] },
    { group: 'embed', name: 'ln_f.weight', shape: [D] },
    { group: 'embed', name: 'ln_f.bias', shape: [D] },
    { group: 'embed', name: 'head_bias', shape: [V] },
  ];
  for (let l = 0; l < c.layers; l++) {
    const g = `block${l}`, p = `blocks.${l}.`;
    out.push(
      { group: g, name: p + 'ln1.weight', shape: [D] },
      { group: g, name: p + 'ln1.bias', shape: [D] },
      ...['wq', 'wk', 'wv', 'wo'].map((w) => ({ group: g, name: p + 'attn.' + w, shape: [D, D] })),
      ...['bq', 'bk', 'bv', 'bo'].map((b) => ({ group: g, name: p + 'attn.' + b, shape: [D] })),
      { group: g, name: p + 'ln2.weight', shape: [D] },
      { group: g, name: p + 'ln2.bias', shape: [D] },
      { group: g, name: p + 'mlp.w1', shape: [D, M] },
      { group: g, name: p + 'mlp.b1', shape: [M] },
      { group: g, name: p + 'mlp.w2', shape: [M, D] },
      { group: g, name: p + 'mlp.b2', shape: [D] },
    );
  }
  return out;
}

const conv = (name: string, cout: number, cin: number, ks = 3) => [
  { name: `${name}.weight`, shape: [cout, cin, ks, ks] },
  { name: `${name}.bias`, shape: [cout] },
];
const norm = (name: string, c: number) => [
  { name: `${name}.weight`, shape: [c] },
  { name: `${name}.bias`, shape: [c] },
];
const res = (name: string, c: number) => [...norm(`${name}.norm1`, c), ...conv(`${name}.conv1`, c, c), ...norm(`${name}.norm2`, c), ...conv(`${name}.conv2`, c, c)];

/**
 * The decoder's tensors (SPEC §8): n = channels.length − 1 up-levels, a res block after every one
 * but the last, G output channels. With channels [c0, c1, c2] and G = 1 these are SPEC §1's names.
 */
export function decoderTensors(k: TokenizerConfig): Array<{ name: string; shape: number[] }> {
  const ch = k.decoder.channels, n = ch.length - 1, G = k.group ?? 1;
  const out = [{ name: 'codebook', shape: [k.codebook_size, k.code_dim] }, ...conv('dec.conv_in', ch[0], k.code_dim), ...res('dec.res0', ch[0])];
  for (let i = 1; i <= n; i++) {
    out.push(...conv(`dec.up${i}`, ch[i], ch[i - 1]));
    if (i < n) out.push(...res(`dec.res${i}`, ch[i]));
  }
  out.push(...norm('dec.norm_out', ch[n]), ...conv('dec.conv_out', G, ch[n]));
  return out;
}

/** The encoder's tensors (they live in the optional encoder file); empty without an encoder. */
export function encoderTensors(k: TokenizerConfig): Array<{ name: string; shape: number[] }> {
  if (!k.encoder) return [];
  const ch = k.encoder.channels, n = ch.length - 1, G = k.group ?? 1;
  const out = [...conv('enc.conv_in', ch[0], G), ...res('enc.res0', ch[0])];
  for (let i = 1; i <= n; i++) out.push(...conv(`enc.down${i}`, ch[i], ch[i - 1]), ...res(`enc.res${i}`, ch[i]));
  out.push(...norm('enc.norm_out', ch[n]), ...conv('enc.conv_out', k.code_dim, ch[n], 1));
  return out;
}

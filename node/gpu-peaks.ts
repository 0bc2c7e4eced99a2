// FP32 (non-tensor-core) peak TFLOP/s of known GPUs, by adapter name, for gpu-check's "fraction of
// peak". Vendor datasheet figures at boost clock; the first pattern that matches wins, so the
// more specific names come first. Pure; MGNT_GPU_PEAK_TFLOPS overrides in gpu-check.

const PEAKS: Array<[RegExp, number, string]> = [
  [/\bh200\b.*\bnvl\b/, 60.3, 'H200 NVL'],
  [/\bgh200\b|\bh200\b/, 66.9, 'H200 SXM'],
  [/\bh100\b.*\bpcie\b/, 51.2, 'H100 PCIe'],
  [/\bh100\b.*\bnvl\b/, 60.0, 'H100 NVL'],
  [/\bh100\b/, 66.9, 'H100 SXM'],
  [/\ba100\b/, 19.5, 'A100'],
  [/\ba10g\b|\ba10\b/, 31.2, 'A10/A10G'],
  [/\bl40s\b/, 91.6, 'L40S'],
  [/\bl40\b/, 90.5, 'L40'],
  [/\bl4\b/, 30.3, 'L4'],
  [/\bt4\b/, 8.1, 'T4'],
  [/\bv100\b/, 15.7, 'V100 SXM2'],
  [/\brtx 6000 ada\b/, 91.1, 'RTX 6000 Ada'],
  [/\brtx a6000\b/, 38.7, 'RTX A6000'],
  [/\brtx 4090\b/, 82.6, 'RTX 4090'],
  [/\brtx 4080\b/, 48.7, 'RTX 4080'],
  [/\brtx 3090\b/, 35.6, 'RTX 3090'],
];

export interface Peak {
  tflops: number | null;
  /** Which entry matched, 'MGNT_GPU_PEAK_TFLOPS' when overridden, null when unknown. */
  source: string | null;
}

/** The fp32 peak for an adapter named by any of `names` (device name, description, …). */
export function fp32Peak(names: string[], override?: string): Peak {
  if (override !== undefined && override !== '') {
    const v = Number(override);
    if (!(v > 0)) throw new Error(`MGNT_GPU_PEAK_TFLOPS=${override}: expected a positive number of TFLOP/s`);
    return { tflops: v, source: 'MGNT_GPU_PEAK_TFLOPS' };
  }
  const text = names.join(' ').toLowerCase().replace(/[^a-z0-9]+/g, ' ');
  for (const [re, tflops, name] of PEAKS) if (re.test(text)) return { tflops, source: name };
  return { tflops: null, source: null };
}

import { expect, expectParity, test } from './harness';

// Video models on random weights (docs/SPEC.md §8): the batched n-level tokenizer against its
// per-latent-frame CPU references, the KV cache over a clip's sequence, generation and frame
// prediction through the one decode loop. Parity with PyTorch is in model-golden.spec.ts.
test.describe('video tokenizer (random weights)', () => {
  const KINDS = [
    { kind: 'video', frames: 5, size: 32, contexts: [1, 3] },
    { kind: 'video-g3', frames: 7, size: 12, contexts: [1, 4, 7] },
    { kind: 'image', frames: 1, size: 28, contexts: [1] },
  ];
  for (const k of KINDS) {
    test(`decoder: every latent frame in one batch equals the CPU reference, ${k.kind}; one submit, one readback`, async ({ harness }) => {
      const r = await harness.run('decoderClip', { kind: k.kind });
      const e = r.extra as { frames: number; size: number; refFrames: number; length: number; submits: number; readbacks: number };
      expectParity(`decoder ${k.kind}`, r);
      expect(e).toMatchObject({ frames: k.frames, refFrames: k.frames, size: k.size, length: k.frames * k.size * k.size, submits: 1, readbacks: 1 });
    });
    for (const n of k.contexts) {
      test(`encoder: the first ${n} frame(s) of ${k.kind} → z and tokens equal the CPU reference`, async ({ harness }) => {
        const r = await harness.run('encoderClip', { kind: k.kind, k: n });
        const e = r.extra as { latents: number; tokens: number; mismatched: number; excused: number };
        console.log('  ', JSON.stringify(e));
        expectParity(`encoder ${k.kind} k=${n}`, r);
        expect(e.mismatched).toBe(0);
        expect(e.latents).toBe(k.kind === 'video-g3' ? 1 + (n - 1) / 3 : k.kind === 'video' ? 1 + (n - 1) / 2 : 1);
      });
    }
  }
});

test.describe('video generation (random weights)', () => {
  for (const width of [0.125, 1]) {
    test(`KV cache over the clip sequence (49 positions): incremental equals full, width ${width}`, async ({ harness }) => {
      const r = await harness.run('videoCache', { width });
      expect((r.extra as { seqLen: number }).seqLen).toBe(49);
      expectParity(`video cache width ${width}`, r);
    });
  }

  test('a clip of 5 frames of 32×32, deterministic; frame prediction never changes the context tokens', async ({ harness }) => {
    const widths = [0.125, 0.25, 0.5, 1, 1, 0.5];
    const r = await harness.run('generateVideo', { widths, cache: true, context: 3 });
    const e = r.extra as Record<string, any>;
    console.log('  ', JSON.stringify(e));
    expect(e.same, 'same seed, same clip').toBe(true);
    expect(e).toMatchObject({ frames: 5, frameLengths: [1024, 1024, 1024, 1024, 1024], grayLength: 5 * 1024, size: 32, fps: 8, tokens: 48 });
    expect(e.previews).toEqual(widths.map(() => 5 * 1024));
    expect(e.steps.map((s: { full: boolean }) => s.full)).toEqual([true, true, true, true, false, true]);
    expect(e.steps[4].n).toBeLessThan(49);
    expect(e.submits).toBe(widths.length * 2 + 1); // a step and its preview decode each, then the final decode
    expect(e.context).toMatchObject({ latents: 2, fixed: 32, predictedFrames: 5, masked0: expect.any(Number) });
    expect(e.context.changed).toEqual(e.context.changed.map(() => 0));
    expect(e.context.changed.length).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
    expect(r.liveBytesDelta).toBe(0);
    expect(r.gpuErrors).toEqual([]);
  });
});

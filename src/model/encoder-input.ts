// Input marshalling of the VQ encoder (docs/SPEC.md §1), on the CPU: gray8 pixels → the padded
// [1, H + 2·pad, W + 2·pad] tensor in [-1, 1]. Pure, so the references and unit tests use it too.

/**
 * x = gray/127.5 − 1 in f32 (each step rounded as numpy's float32 arithmetic in
 * train/data.py to_model_space rounds it), padded with −1 (black) on every side.
 */
export function encoderInput(gray: ArrayLike<number>, size: number, pad: number): Float32Array {
  const S = size + 2 * pad;
  const x = new Float32Array(S * S).fill(-1);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) x[(r + pad) * S + c + pad] = Math.fround(Math.fround(gray[r * size + c] / 127.5) - 1);
  }
  return x;
}

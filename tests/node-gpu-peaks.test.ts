import { describe, expect, it } from 'vitest';
import { fp32Peak } from '../node/gpu-peaks';

describe('gpu-check fp32 peaks by adapter name', () => {
  it('matches Dawn\'s device names (dashed, lower case) and driver descriptions', () => {
    expect(fp32Peak(['nvidia-h200', 'NVIDIA 570.86'])).toEqual({ tflops: 66.9, source: 'H200 SXM' });
    expect(fp32Peak(['NVIDIA H100 PCIe'])).toEqual({ tflops: 51.2, source: 'H100 PCIe' });
    expect(fp32Peak(['NVIDIA H100 80GB HBM3']).source).toBe('H100 SXM');
    expect(fp32Peak(['NVIDIA A100-SXM4-40GB']).tflops).toBe(19.5);
    expect(fp32Peak(['NVIDIA L40S']).tflops).toBe(91.6);
    expect(fp32Peak(['NVIDIA L4']).tflops).toBe(30.3);
    expect(fp32Peak(['NVIDIA GeForce RTX 4090']).tflops).toBe(82.6);
  });

  it('is null for an unknown or CPU adapter, and the override wins', () => {
    expect(fp32Peak(['swiftshader-device-subzero-', 'SwiftShader driver 5.0.0'])).toEqual({ tflops: null, source: null });
    expect(fp32Peak(['NVIDIA L4'], '12.5')).toEqual({ tflops: 12.5, source: 'MGNT_GPU_PEAK_TFLOPS' });
    expect(() => fp32Peak(['x'], 'fast')).toThrow(/MGNT_GPU_PEAK_TFLOPS=fast/);
  });
});

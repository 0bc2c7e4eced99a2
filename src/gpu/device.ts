import { MgntError } from './errors';

/** The features a kernel may use when present; every kernel also has a portable path. */
export interface GpuFeatures {
  subgroups: boolean;
  timestamps: boolean;
}

export interface Gpu {
  device: GPUDevice;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  features: GpuFeatures;
  limits: GPUSupportedLimits;
  /** A CPU implementation (SwiftShader): kernels that are best there differ from a GPU's. */
  software: boolean;
  /** The adapter's smallest subgroup size (0 where unknown). */
  subgroupMinSize: number;
  /** Resolves when the device is lost (destroy() or a driver reset). */
  lost: Promise<GPUDeviceLostInfo>;
  isLost(): boolean;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Refuse optional features even when present (tests the portable path). */
  disableFeatures?: Array<keyof GpuFeatures>;
  /**
   * Caps on the limits mgnt plans with (a smaller GPU's budget, e.g. a phone's
   * maxStorageBufferBindingSize). WebGPU never grants limits below its defaults, so the cap
   * applies to `Gpu.limits`, which every size check and the model's pre-allocation check read.
   */
  limits?: Partial<Record<keyof GPUSupportedLimits, number>>;
  /** The WebGPU entry point to use instead of navigator.gpu (one call; see provideWebGpu). */
  gpu?: GPU;
}

/**
 * Where there is no navigator.gpu (Node with Dawn, node/dawn.ts), the host hands its GPU object
 * here once and every later acquireGpu() uses it: the same runtime, kernels and pages run
 * unchanged. The browser never calls this, so this file stays free of any Node import.
 */
let provided: GPU | null = null;
export function provideWebGpu(gpu: GPU | null): void {
  provided = gpu;
}

/** The device's limits as a plain object, each capped by `caps` where given. */
function cappedLimits(limits: GPUSupportedLimits, caps: AcquireOptions['limits']): GPUSupportedLimits {
  if (!caps) return limits;
  const out: Record<string, number> = {};
  for (const k in limits) out[k] = limits[k as keyof GPUSupportedLimits] as number;
  for (const [k, v] of Object.entries(caps)) if (typeof v === 'number' && k in out) out[k] = Math.min(out[k], v);
  return out as unknown as GPUSupportedLimits;
}

const WANTED_LIMITS: Array<keyof GPUSupportedLimits> = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
];

/**
 * Gets an adapter and a device with the largest limits the adapter allows for the limits our
 * kernels and weight buffers care about, and the optional features we can use.
 */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<Gpu> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  const entry = opts.gpu ?? provided ?? (nav && 'gpu' in nav ? nav.gpu : undefined);
  if (!entry) {
    throw new MgntError(
      'webgpu-unavailable',
      'WebGPU is not available in this browser (navigator.gpu is missing). Use a recent Chrome, Edge or ' +
        'Safari 26+, or Firefox 141+; on Linux Chrome start it with --enable-unsafe-webgpu; the page must be ' +
        'served over https or localhost.',
    );
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await entry.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  } catch (e) {
    throw new MgntError('no-adapter', `WebGPU could not return an adapter: ${String(e)}`, { cause: e });
  }
  if (!adapter) {
    throw new MgntError(
      'no-adapter',
      'WebGPU is present but no GPU adapter was found. Enable hardware acceleration in the browser ' +
        'settings, update the GPU driver, or check chrome://gpu for a blocklisted GPU.',
    );
  }
  const disabled = new Set(opts.disableFeatures ?? []);
  const requiredFeatures: GPUFeatureName[] = [];
  const want = (name: string, key: keyof GpuFeatures) => {
    if (!disabled.has(key) && adapter!.features.has(name)) {
      requiredFeatures.push(name as GPUFeatureName);
      return true;
    }
    return false;
  };
  const features: GpuFeatures = {
    subgroups: want('subgroups', 'subgroups'),
    timestamps: want('timestamp-query', 'timestamps'),
  };
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k] as number;

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (e) {
    throw new MgntError('no-adapter', `The GPU adapter refused to create a device: ${String(e)}`, { cause: e });
  }
  let lostFlag = false;
  const lost = device.lost.then((info) => {
    lostFlag = true;
    return info;
  });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  return {
    device,
    adapterInfo: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' },
    features,
    limits: cappedLimits(device.limits, opts.limits),
    software: /swiftshader/i.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`) || !!(info as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    subgroupMinSize: Number((info as unknown as { subgroupMinSize?: number }).subgroupMinSize ?? 0),
    lost,
    isLost: () => lostFlag,
  };
}

/** Throws `device-lost` with a useful message if the device is gone. */
export function assertAlive(gpu: Gpu): void {
  if (gpu.isLost()) {
    throw new MgntError(
      'device-lost',
      'The GPU device was lost (driver reset, tab in background too long, or device.destroy()). ' +
        'Acquire a new device and load the model again.',
    );
  }
}

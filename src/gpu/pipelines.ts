import { MgntError } from './errors';
import type { BindingKind, KernelDef } from './kernel';

export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const BUFFER_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  uniform: 'uniform',
  read: 'read-only-storage',
  rw: 'storage',
};

/**
 * Pipelines keyed by kernel name and override constants (Ratchet-style: one compiled pipeline
 * per descriptor, built once). Layouts are explicit so a binding the shader happens not to use
 * is still accepted.
 */
export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private pipelines = new Map<string, CachedPipeline>();

  constructor(private device: GPUDevice) {}

  static key(def: KernelDef, constants?: Record<string, number>): string {
    const c = constants ? Object.entries(constants).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
    return `${def.name}:${def.entry ?? 'main'}:${JSON.stringify(c)}`;
  }

  private module(def: KernelDef): GPUShaderModule {
    let m = this.modules.get(def.name);
    if (!m) {
      m = this.device.createShaderModule({ code: def.code, label: def.name });
      this.modules.set(def.name, m);
    }
    return m;
  }

  private layout(def: KernelDef): GPUBindGroupLayout {
    let l = this.layouts.get(def.name);
    if (!l) {
      l = this.device.createBindGroupLayout({
        label: def.name,
        entries: def.bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: BUFFER_TYPE[kind] },
        })),
      });
      this.layouts.set(def.name, l);
    }
    return l;
  }

  get(def: KernelDef, constants?: Record<string, number>): CachedPipeline {
    const key = PipelineCache.key(def, constants);
    let p = this.pipelines.get(key);
    if (!p) {
      const layout = this.layout(def);
      const pipeline = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: this.module(def), entryPoint: def.entry ?? 'main', constants },
      });
      p = { pipeline, layout };
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Compiles ahead of use and turns a WGSL compile error into a readable `shader` error. */
  async prepare(def: KernelDef, constants?: Record<string, number>): Promise<CachedPipeline> {
    const key = PipelineCache.key(def, constants);
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const module = this.module(def);
    const info = await module.getCompilationInfo();
    const errs = info.messages.filter((m) => m.type === 'error');
    if (errs.length) {
      throw new MgntError('shader', `${def.name}.wgsl failed to compile: ` + errs.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('; '));
    }
    const layout = this.layout(def);
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: def.entry ?? 'main', constants },
      });
      const p = { pipeline, layout };
      this.pipelines.set(key, p);
      return p;
    } catch (e) {
      throw new MgntError('shader', `${key}: pipeline creation failed: ${String(e)}`, { cause: e });
    }
  }

  get size(): number {
    return this.pipelines.size;
  }
}

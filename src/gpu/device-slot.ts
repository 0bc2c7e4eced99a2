// One GPU device shared by several models (a page's sessions). When the device is lost, every
// model on it notices on its own next use; the first to ask acquires the replacement and the
// others get that same one, so a page re-acquires once per loss, not once per model.
import { acquireGpu, type AcquireOptions } from './device';
import { MgntError } from './errors';
import { Runtime } from './runtime';

export class DeviceSlot {
  private rt: Runtime;
  private replacing: Promise<Runtime> | null = null;
  private closed = false;
  /** Devices acquired over the slot's life (1 + replacements): what the device-loss tests count. */
  acquired = 1;

  private constructor(rt: Runtime, private readonly acquireOpts: AcquireOptions) {
    this.rt = rt;
  }

  static async open(opts: AcquireOptions = {}): Promise<DeviceSlot> {
    return new DeviceSlot(new Runtime(await acquireGpu(opts)), opts);
  }

  get runtime(): Runtime {
    return this.rt;
  }

  /**
   * The runtime to use now that `lost` died. Callers holding a runtime that was already replaced
   * get the current one; concurrent callers share one acquisition.
   */
  replace(lost: Runtime): Promise<Runtime> {
    if (this.closed) return Promise.reject(new MgntError('aborted', 'the shared GPU device was released (every element using it is gone)'));
    if (lost !== this.rt) return Promise.resolve(this.rt);
    this.replacing ??= (async () => {
      lost.destroy();
      const rt = new Runtime(await acquireGpu(this.acquireOpts));
      if (this.closed) {
        rt.destroy();
        rt.device.destroy();
        throw new MgntError('aborted', 'the shared GPU device was released while it was being replaced');
      }
      this.rt = rt;
      this.acquired++;
      return rt;
    })().finally(() => {
      this.replacing = null;
    });
    return this.replacing;
  }

  /** Frees the device; sessions still on it must have been destroyed first. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.rt.destroy();
    this.rt.device.destroy();
  }
}

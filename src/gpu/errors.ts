/**
 * Every failure mgnt reports carries a machine-readable `type` (used as `error` event
 * `detail.type` by the element) and a message that names the problem and the fix.
 */
export type MgntErrorType =
  | 'webgpu-unavailable'
  | 'no-adapter'
  | 'device-lost'
  | 'limits'
  | 'shape'
  | 'shader'
  | 'integrity'
  | 'network'
  | 'format'
  | 'quota'
  | 'bad-attribute'
  | 'aborted';

export class MgntError extends Error {
  readonly type: MgntErrorType;
  constructor(type: MgntErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MgntError';
    this.type = type;
  }
}

/** Throws a `shape` error naming the kernel when a condition on its arguments fails. */
export function guard(ok: boolean, kernel: string, what: () => string): asserts ok {
  if (!ok) throw new MgntError('shape', `${kernel}: ${what()}`);
}

// IndexedDB storage: checkpoint files (a FileSource for loadCheckpoint) and cached activations.
export { storedSource, emptyReport, type StoreReport, type StoreOptions } from './checkpoint-store';
export { ActivationCache, type FirstStepEntry, type StoredResult } from './activations';
export { requestPersistence, storageEstimate, isQuotaError } from './quota';

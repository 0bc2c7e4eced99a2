// IndexedDB storage: checkpoint files (a FileSource for loadCheckpoint), cached activations, and
// the management API (list, delete, persist).
export { storedSource, emptyReport, type StoreReport, type StoreOptions } from './checkpoint-store';
export { ActivationCache, type FirstStepEntry, type StoredResult } from './activations';
export { requestPersistence, storageEstimate, isQuotaError } from './quota';
export { listStoredModels, deleteStoredModel, clearStoredModels, persistStorage, storagePersisted, type PersistResult, type StoredModel, type StoredFile } from './manage';

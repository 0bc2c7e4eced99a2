// MgntCanvas's static storage methods (list, delete, persist), kept out of mgnt-canvas.ts: they
// concern the whole origin's IndexedDB, not one element, and delegate to src/store. The library
// entry (index.ts) imports this module, which attaches them to the class.
// The declarations use the public types of api/types.ts (the package's typings must not reach
// src/store); assigning the store's functions below checks that the two still agree.
import type { MgntPersistResult, MgntStoredModel } from '../api/types';
import { clearStoredModels, deleteStoredModel, listStoredModels, persistStorage, storageEstimate, storagePersisted } from '../store';
import { MgntCanvas } from './mgnt-canvas';

declare module './mgnt-canvas' {
  // Declaration merging: static members of the class, typed here where they are attached.
  namespace MgntCanvas {
    /** The models kept in IndexedDB (files, derived data, bytes), sorted by name. */
    let listStoredModels: () => Promise<MgntStoredModel[]>;
    /** Deletes one model (by name or manifest URL) with its derived data; resolves to the bytes freed. */
    let deleteStoredModel: (model: string | null) => Promise<number>;
    /** Deletes everything mgnt keeps in IndexedDB; resolves to the bytes freed. */
    let clearStoredModels: () => Promise<number>;
    /** Asks the browser to keep the data (`navigator.storage.persist()`): `granted`, `denied` or `unsupported`. */
    let persistStorage: () => Promise<MgntPersistResult>;
    /** Whether the data is already persistent (asks nothing); null where unsupported. */
    let storagePersisted: () => Promise<boolean | null>;
    /** The origin's usage and quota in bytes (`navigator.storage.estimate()`), or null. */
    let storageEstimate: () => Promise<{ usage: number; quota: number } | null>;
  }
}

MgntCanvas.listStoredModels = listStoredModels;
MgntCanvas.deleteStoredModel = deleteStoredModel;
MgntCanvas.clearStoredModels = clearStoredModels;
MgntCanvas.persistStorage = persistStorage;
MgntCanvas.storagePersisted = storagePersisted;
MgntCanvas.storageEstimate = storageEstimate;

// MgntCanvas's static storage methods (list, delete, persist), kept out of mgnt-canvas.ts: they
// concern the whole origin's IndexedDB, not one element, and delegate to src/store. The library
// entry (index.ts) imports this module, which attaches them to the class.
import { clearStoredModels, deleteStoredModel, listStoredModels, persistStorage, storageEstimate, storagePersisted } from '../store';
import { MgntCanvas } from './mgnt-canvas';

declare module './mgnt-canvas' {
  // Declaration merging: static members of the class, typed here where they are attached.
  namespace MgntCanvas {
    /** The models kept in IndexedDB (files, derived data, bytes), sorted by name. */
    let listStoredModels: typeof import('../store').listStoredModels;
    /** Deletes one model (by name or manifest URL) with its derived data; resolves to the bytes freed. */
    let deleteStoredModel: typeof import('../store').deleteStoredModel;
    /** Deletes everything mgnt keeps in IndexedDB; resolves to the bytes freed. */
    let clearStoredModels: typeof import('../store').clearStoredModels;
    /** Asks the browser to keep the data (`navigator.storage.persist()`): `granted`, `denied` or `unsupported`. */
    let persistStorage: typeof import('../store').persistStorage;
    /** Whether the data is already persistent (asks nothing); null where unsupported. */
    let storagePersisted: typeof import('../store').storagePersisted;
    /** The origin's usage and quota in bytes (`navigator.storage.estimate()`), or null. */
    let storageEstimate: typeof import('../store').storageEstimate;
  }
}

MgntCanvas.listStoredModels = listStoredModels;
MgntCanvas.deleteStoredModel = deleteStoredModel;
MgntCanvas.clearStoredModels = clearStoredModels;
MgntCanvas.persistStorage = persistStorage;
MgntCanvas.storagePersisted = storagePersisted;
MgntCanvas.storageEstimate = storageEstimate;

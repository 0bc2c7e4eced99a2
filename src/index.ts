// The package's main entry (`import { loadModel } from 'mgnt'`): the library API. It defines no
// element; `import 'mgnt/element'` registers <mgnt-canvas>.
export { loadModel, MgntGenerator, type GenerateOptions, type LoadOptions } from './api/generator';
export { defaultModelUrl } from './api/default-model';
export { MgntError } from './gpu/errors';
export type * from './api/types';

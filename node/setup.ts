// vitest setup for the Node/Dawn tests: WebGPU's globals (GPUBufferUsage, …) must exist before
// any src/ module loads (runtime.ts reads them at import), and relative fetches read from disk.
import { openDawn } from './dawn';
import { serveRepoFiles } from './files';

openDawn();
serveRepoFiles();

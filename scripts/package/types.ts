// Second half of the package's typings (after `tsc -p tsconfig.build.json` wrote dist/types/):
// adds the hand-written JSX typings, which tsc does not copy, and keeps only the .d.ts files the
// two entries reach, so `files` ships no internal GPU typings. Fails when a reached file names a
// WebGPU type or a bundled dependency: users would then need @webgpu/types or idb-keyval installed
// to type-check (see src/api/types.ts).
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const types = join(root, 'dist/types');
const ENTRIES = ['index.d.ts', 'element/index.d.ts'];

copyFileSync(join(root, 'src/element/jsx.d.ts'), join(types, 'element/jsx.d.ts'));

const reached = new Set<string>();
const queue = ENTRIES.map((e) => join(types, e));
const problems: string[] = [];
while (queue.length) {
  const file = queue.pop()!;
  if (reached.has(file)) continue;
  reached.add(file);
  const text = readFileSync(file, 'utf8');
  // `from '…'`, `import('…')`, and side-effect imports (`import './storage'`).
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)) {
    const spec = m[1];
    if (!spec.startsWith('.')) {
      if (spec !== 'react') problems.push(`${relative(types, file)} imports "${spec}", which users do not have`);
      continue;
    }
    const target = resolve(dirname(file), spec.replace(/\.(ts|js)$/, '') + '.d.ts');
    queue.push(target);
  }
  const gpu = text.match(/\bGPU[A-Z]\w*/);
  if (gpu) problems.push(`${relative(types, file)} names ${gpu[0]}, a WebGPU type users may not have`);
}
if (problems.length) {
  console.error(`package types: the public typings reach internals:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

function prune(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      prune(p);
      if (!readdirSync(p).length) rmSync(p, { recursive: true });
    } else if (!reached.has(p)) rmSync(p);
  }
}
prune(types);
console.log(`package types: ${reached.size} declaration files in dist/types/`);

// npm run bench [-- --json <file>] [--only kernels|images|...]: runs the Playwright performance
// suite (e2e/bench/*.bench.ts) in headless Chromium and optionally writes the results as JSON.
// With --node: the kernel and per-image benches under Node/Dawn instead (node/bench.ts; SwiftShader
// unless MGNT_NODE_GPU=system).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { rmSync } from 'node:fs';

const args = process.argv.slice(2);
let json: string | undefined;
let only: string | undefined;
let node = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') json = args[++i];
  else if (args[i] === '--only') only = args[++i];
  else if (args[i] === '--node') node = true;
  else if (args[i] === '--help') {
    console.log('usage: npm run bench -- [--json results.json] [--only kernels|images|start|share|time-budget] [--node (Node/Dawn: kernels, images)]');
    process.exit(0);
  } else {
    console.error(`bench: unknown argument ${args[i]} (try --help)`);
    process.exit(2);
  }
}
const env = { ...process.env };
if (json) {
  env.MGNT_BENCH_JSON = resolve(json);
  rmSync(env.MGNT_BENCH_JSON, { force: true });
}
if (node) {
  const r = spawnSync('npx', ['tsx', 'node/run.ts', 'node/bench.ts', ...(only ? ['--only', only] : [])], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
const pw = ['playwright', 'test', '-c', 'e2e/bench/bench.config.ts'];
if (only) pw.push(only);
const r = spawnSync('npx', pw, { stdio: 'inherit', env });
process.exit(r.status ?? 1);

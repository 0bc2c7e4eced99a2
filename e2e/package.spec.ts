import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { serveStatic, type StaticServer } from './fixtures/static-server';

// The npm package as a user gets it: `npm pack` (which builds), the tarball installed into a fresh
// Vite + TypeScript app in a temp folder (e2e/package/app), type-checked with skipLibCheck off and
// no WebGPU typings, built by `vite build`, served as static files and opened in Chromium, where
// the element and the library API each make an image. Offline: the tarball has no dependencies,
// and the app takes vite and typescript from this checkout's node_modules by symlink.

const ROOT = resolve(import.meta.dirname, '..');
const MODULES = realpathSync(join(ROOT, 'node_modules'));

let tmp: string;
let tarball: string;
let app: string;
let server: StaticServer | undefined;

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, out: `${cmd} ${args.join(' ')} (exit ${r.status}):\n${r.stdout}\n${r.stderr}` };
}

function must(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (!r.ok) throw new Error(r.out);
  return r.out;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, info) => {
  info.setTimeout(400_000);
  tmp = mkdtempSync(join(tmpdir(), 'mgnt-pkg-'));
  must('npm', ['pack', '--pack-destination', tmp], ROOT);
  const packed = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  expect(packed).toHaveLength(1);
  tarball = join(tmp, packed[0]);
  app = join(tmp, 'app');
  cpSync(join(ROOT, 'e2e/package/app'), app, { recursive: true });
  must('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  for (const dep of ['vite', 'typescript']) symlinkSync(join(MODULES, dep), join(app, 'node_modules', dep));
  // The model ships inside the package; an app serves it by copying it to public/ (README).
  mkdirSync(join(app, 'public'), { recursive: true });
  cpSync(join(app, 'node_modules/mgnt/dist/models'), join(app, 'public/models'), { recursive: true });
  // The standalone build too, loaded by a <script> tag: a second definition attempt on the page.
  cpSync(join(app, 'node_modules/mgnt/dist/mgnt-canvas.js'), join(app, 'public/mgnt-canvas.js'));
  must(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], app);
});

test.afterAll(async () => {
  await server?.close();
});

test('the tarball holds every file its exports name, the model, typings, custom-elements.json, and no sources', () => {
  const listed = must('tar', ['tzf', tarball], tmp).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('package/'));
  const files = new Set(listed.map((l) => l.slice('package/'.length)));
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/mgnt/package.json'), 'utf8'));
  // Export KEYS ("./element") are import paths, not files; the VALUES are the files to check,
  // through condition objects ({ types, default }) and with a wildcard matching at least one file.
  const targets: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') targets.push(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(pkg.exports);
  expect(targets.length).toBeGreaterThan(6);
  for (const t of targets) {
    if (t.includes('*')) {
      const [head, tail] = t.split('*');
      expect([...files].some((f) => f.startsWith(head) && f.endsWith(tail)), `a file for exports target ${t}`).toBe(true);
    } else expect(files.has(t), `exports target ${t} is in the tarball`).toBe(true);
  }
  expect(files.has(pkg.customElements.replace(/^\.\//, ''))).toBe(true);
  for (const f of ['dist/models/fmnist-s/manifest.json', 'dist/models/fmnist-s/transformer.safetensors', 'dist/types/element/jsx.d.ts']) expect(files.has(f), f).toBe(true);
  expect([...files].filter((f) => /^(src|e2e|tests|train|scripts|public|docs)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  // Everything is bundled: nothing to fetch from a registry when the app installs it.
  expect(pkg.dependencies ?? {}).toEqual({});
  // No internal typings that would need @webgpu/types.
  expect([...files].filter((f) => /^dist\/types\/(gpu\/(?!errors)|model|store|worker)/.test(f))).toEqual([]);

  const cem = JSON.parse(readFileSync(join(app, 'node_modules/mgnt', pkg.customElements), 'utf8'));
  const el = cem.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []).find((d: { tagName?: string }) => d.tagName === 'mgnt-canvas');
  expect(el, 'custom-elements.json declares <mgnt-canvas>').toBeTruthy();
  expect(el.attributes.map((a: { name: string }) => a.name)).toEqual(['model', 'class', 'seed', 'steps', 'schedule', 'budget', 'time-budget', 'guidance', 'temperature', 'loading', 'autoplay', 'context-clip', 'context-frames']);
  expect(el.events.map((e: { name: string }) => e.name).sort()).toEqual(['error', 'generate', 'load', 'progress']);
});

test('a fresh Vite + TypeScript app type-checks its use of the element, the API and JSX against the package', () => {
  // src/main.ts and src/view.tsx carry @ts-expect-error lines: typings that decayed to `any`
  // would leave them unused, which fails this check too.
  const r = run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
  expect(r.ok, r.out).toBe(true);
});

test('React 19 JSX: <mgnt-canvas> props and ref type-check with @types/react', () => {
  // The typings must work with React and without it. React's types are a devDependency of this
  // project and are linked from its node_modules, as typescript is: an offline `npm install
  // @types/react@19` needs the registry's metadata for the range, which an install from the
  // lockfile never fetches, so a fresh machine's npm cache does not have it.
  const dir = join(tmp, 'react');
  cpSync(join(ROOT, 'e2e/package/react'), dir, { recursive: true });
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], dir);
  expect(install.ok, install.out.slice(0, 300)).toBe(true);
  const types = JSON.parse(readFileSync(join(MODULES, '@types/react/package.json'), 'utf8')) as { version: string };
  expect(types.version, 'the devDependency @types/react is React 19').toMatch(/^19\./);
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(MODULES, '@types', 'react'), join(dir, 'node_modules', '@types', 'react'));
  symlinkSync(join(MODULES, 'typescript'), join(dir, 'node_modules', 'typescript'));
  const r = run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
  expect(r.ok, r.out).toBe(true);
});

test('the built app, opened at /, gets images from the element and the API; a budget it cannot meet is reported', async ({ page }) => {
  expect(existsSync(join(app, 'dist/index.html'))).toBe(true);
  server = await serveStatic(join(app, 'dist'));
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.mgntApp?.ready === true, null, { timeout: 60_000 });

  // Two bundles (the app's and the standalone script) both defined <mgnt-canvas>: no error.
  expect(await page.evaluate(() => typeof customElements.get('mgnt-canvas'))).toBe('function');

  const plain = await page.evaluate(() => window.mgntApp.element());
  expect(plain.result).toMatchObject({ className: 'sneaker', size: 28, schedule: { name: 'baseline', widths: [1, 1], cache: true }, notices: [] });
  expect(plain.result.nonBlack).toBeGreaterThan(20);
  expect(plain.errors).toEqual([]);

  const manifest = JSON.parse(readFileSync(join(app, 'public/models/fmnist-s/manifest.json'), 'utf8'));
  const cheapest = (manifest.decode_defaults.pareto as Array<{ name: string; widths: number[]; fraction: number }>).reduce((a, b) => (b.fraction < a.fraction ? b : a));
  const over = await page.evaluate(() => window.mgntApp.element(0.05));
  expect(over.result.schedule).toMatchObject({ name: cheapest.name, widths: cheapest.widths, budget: { requested: 0.05, exceeded: true } });
  expect(over.result.notices).toHaveLength(1);
  expect(over.errors).toEqual([{ type: 'budget-exceeded', fatal: false, message: over.result.notices[0].message }]);
  expect(over.errors[0].message).toContain(`ran "${cheapest.name}"`);

  const api = await page.evaluate(() => window.mgntApp.api({ class: 'sneaker', seed: 4, budget: 0.05 }));
  expect(api.aborted).toBe('AbortError');
  expect(api.result).toMatchObject({ className: 'sneaker', size: 28, schedule: { name: cheapest.name, widths: cheapest.widths }, notices: [{ type: 'budget-exceeded' }] });
  expect(api.result.nonBlack).toBeGreaterThan(20);
  expect(api.steps).toBe(cheapest.widths.length);
  expect(api.afterDestroy).toBe('MgntError aborted');
  expect(['worker', 'main']).toContain(api.result.backend);

  // The element written in the HTML (upgraded by whichever bundle defined the tag) drew too.
  await page.waitForFunction(() => document.getElementById('markup') && (document.getElementById('markup') as HTMLElementTagNameMap['mgnt-canvas']).result !== null, null, { timeout: 60_000 });
  expect(pageErrors).toEqual([]);
});

declare global {
  interface Window {
    mgntApp: {
      ready: boolean;
      element(budget?: number): Promise<{ result: AppSummary; errors: Array<{ type: string; fatal: boolean; message: string }> }>;
      api(o: { class: string; seed: number; budget?: number }): Promise<{ result: AppSummary; steps: number; aborted: string; afterDestroy: string }>;
    };
  }
}
interface AppSummary {
  className: string | null;
  size: number;
  nonBlack: number;
  schedule: { name: string; widths: number[]; cache: boolean; budget?: { requested: number; fraction: number; exceeded: boolean } };
  notices: Array<{ type: string; message: string }>;
  backend: string | null;
}

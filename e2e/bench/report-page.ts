// Draws a `npm run bench --json` file for a person: per-image schedules against the baseline,
// kernels against the libraries, start-up. Plain DOM (textContent only) and CSS bars.
type Json = Record<string, any>;

const out = document.getElementById('out')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function bar(fraction: number, other = false): HTMLElement {
  const b = el('span', undefined, other ? 'bar other' : 'bar');
  b.style.width = `${Math.max(1, Math.min(300, 300 * fraction))}px`;
  return b;
}

function table(title: string, head: string[], rows: Array<Array<string | HTMLElement>>): void {
  out.append(el('h2', title));
  const t = el('table');
  const tr = el('tr');
  for (const h of head) tr.append(el('th', h));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    for (const c of r) {
      const td = el('td');
      td.append(c);
      row.append(td);
    }
    t.append(row);
  }
  out.append(t);
}

function images(title: string, rows: Json): void {
  const base = rows.baseline;
  table(title, ['schedule', 'ms median', '× baseline ms', '', 'GFLOPs', '× baseline GFLOPs', ''],
    Object.entries(rows).map(([name, r]) => [
      name, r.ms_median.toFixed(0), (r.ms_median / base.ms_median).toFixed(3), bar(r.ms_median / base.ms_median),
      r.gflops.toFixed(3), (r.gflops / base.gflops).toFixed(3), bar(r.gflops / base.gflops, true),
    ]));
}

function render(j: Json): void {
  out.replaceChildren();
  if (j.images) images(`Per image: ${j.images_model ?? 'shipped model'}`, j.images);
  if (j.images_base) images(`Per image: ${j.images_base.model}`, j.images_base.rows);
  if (j.kernels) {
    const rows = (j.kernels as Json[]).filter((k) => k.mgnt_gflops != null);
    const best = Math.max(...rows.map((k) => k.mgnt_gflops));
    table('Kernels (GFLOP/s)', ['shape', 'mgnt', '', 'ort webgpu', 'tfjs webgpu', 'ort wasm', 'mgnt ÷ ort'],
      rows.map((k) => [
        k.shape, k.mgnt_gflops.toFixed(3), bar(k.mgnt_gflops / best),
        k.ort_webgpu_gflops?.toFixed(3) ?? '—', k.tfjs_webgpu_gflops?.toFixed(3) ?? '—', k.ort_wasm_gflops?.toFixed(3) ?? '—',
        k.ort_webgpu_gflops ? `${(k.mgnt_gflops / k.ort_webgpu_gflops).toFixed(1)}×` : '—',
      ]));
  }
  if (j.start) table('Start-up (ms)', ['what', 'value'], Object.entries(j.start).map(([k, v]) => [k, Number(v).toFixed(k.endsWith('gflops') ? 3 : 0)]));
  if (!out.childElementCount) out.append(el('p', 'This JSON has no images, kernels or start section.'));
}

document.getElementById('file')!.addEventListener('change', async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) render(JSON.parse(await f.text()));
});
const q = new URLSearchParams(location.search).get('json');
if (q) fetch(q).then((r) => r.json()).then(render, (e) => out.replaceChildren(el('p', `could not load ${q}: ${e}`)));

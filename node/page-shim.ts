// Node only: the little of a page the benchmark pages (e2e/bench/*-page.ts) touch, so their run()
// functions time the kernels under Dawn unchanged. They publish themselves on `window`, set
// #status to 'ready' and append progress lines to #out; here #out goes to stderr.
interface ShimElement {
  textContent: string;
}

export function installPageShim(progress: (line: string) => void = (s) => process.stderr.write(s)): void {
  const g = globalThis as unknown as { window?: unknown; document?: unknown };
  if (g.document) return;
  const elements = new Map<string, ShimElement>();
  const element = (id: string): ShimElement => {
    let text = '';
    const el = {
      get textContent() {
        return text;
      },
      set textContent(v: string) {
        if (id === 'out' && v.startsWith(text)) progress(v.slice(text.length));
        text = v;
      },
    };
    elements.set(id, el);
    return el;
  };
  g.window ??= globalThis;
  g.document = { getElementById: (id: string) => elements.get(id) ?? element(id) };
}

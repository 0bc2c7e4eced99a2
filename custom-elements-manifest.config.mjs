// @custom-elements-manifest/analyzer: `npm run build` writes dist/custom-elements.json, which
// package.json's "customElements" points IDEs and documentation tools to. Attributes, events, CSS
// properties and parts come from the JSDoc tags on MgntCanvas (observedAttributes is an imported
// list the analyzer cannot follow).
export default {
  globs: ['src/element/index.ts', 'src/element/mgnt-canvas.ts'],
  outdir: 'dist',
  dependencies: false,
  packagejson: false,
  plugins: [
    {
      name: 'mgnt-drop-guesses',
      // The analyzer also reads emit(name, …) as an event called "name" and the shadow root's
      // innerHTML as a public field; the JSDoc above is the source of truth, so drop those.
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const d of mod.declarations ?? []) {
            if (d.events) d.events = d.events.filter((e) => e.name !== 'name');
            if (d.members) d.members = d.members.filter((m) => m.name !== 'innerHTML' && m.privacy !== 'private');
          }
        }
      },
    },
  ],
};

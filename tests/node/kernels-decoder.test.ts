// The browser's kernels-decoder spec, run under Node/Dawn (see vitest.node.config.ts).
import '../../e2e/kernels-decoder.spec';

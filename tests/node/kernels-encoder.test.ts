// The browser's kernels-encoder spec, run under Node/Dawn (see vitest.node.config.ts).
import '../../e2e/kernels-encoder.spec';

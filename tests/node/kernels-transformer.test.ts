// The browser's kernels-transformer spec, run under Node/Dawn (see vitest.node.config.ts).
import '../../e2e/kernels-transformer.spec';

// The browser's kernels-sampling spec, run under Node/Dawn (see vitest.node.config.ts).
import '../../e2e/kernels-sampling.spec';

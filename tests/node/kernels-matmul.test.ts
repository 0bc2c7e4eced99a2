// The browser's matmul parity spec, run under Node/Dawn (see vitest.node.config.ts).
import '../../e2e/kernels-matmul.spec';

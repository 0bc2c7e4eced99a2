// The browser's model-random spec, run under Node/Dawn (see vitest.node.config.ts).
import '../../e2e/model-random.spec';

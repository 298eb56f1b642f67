/** Small utilities every stage uses: the seeded generator, the tool's version, the code digest of resume keys. */
export { seededRandom, normal, deriveSeed, type Random } from './random.js';
export { TOOL } from './version.js';
export { codeDigest } from './code-digest.js';
export { canonicalJson } from './canonical-json.js';
export { compiledWorker, requireCompiledWorker } from './compiled-worker.js';
export { workerPoolOptions } from './worker-pool.js';
export { assertNoLinks, childPath, isPlainName, plainName, plainNameProblem, MAX_NAME_LENGTH } from './safe-name.js';

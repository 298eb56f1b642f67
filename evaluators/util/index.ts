/** Small utilities every stage uses: the seeded generator, the tool's version, the code digest of resume keys. */
export { seededRandom, normal, deriveSeed, type Random } from './random.js';
export { TOOL } from './version.js';
export { codeDigest } from './code-digest.js';

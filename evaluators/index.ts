/** facebench's evaluation engine: geometry I/O, spatial structures, alignment, metrics and protocols. */
export * from './errors.js';
export * from './geometry/index.js';
export * from './io/index.js';
export * from './spatial/index.js';
export * from './alignment/index.js';
export * from './metrics/index.js';
export * from './protocols/index.js';

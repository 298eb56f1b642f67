export * from './types.js';
export * from './validate.js';
export * from './points.js';

export * from './errors.js';
export * from './dates.js';
export * from './money.js';
export * from './decimal.js';
export * from './yaml-paths.js';
export * from './hash.js';

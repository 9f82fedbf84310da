export * from './rng.js';
export * from './types.js';
export * from './behaviour.js';
export * from './products.js';
export * from './people.js';
export * from './portfolio.js';
export * from './engine.js';

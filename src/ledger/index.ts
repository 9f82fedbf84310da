export * from './types.js';
export * from './product.js';
export * from './schedule.js';
export * from './delinquency.js';
export * from './day.js';

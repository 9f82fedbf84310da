export * from './contract.js';
export * from './allocate.js';
export * from './rules.js';
export * from './recall.js';
export * from './commission.js';
export * from './scorecard.js';

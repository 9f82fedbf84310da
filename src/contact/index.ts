export * from './party.js';
export * from './outcomes.js';

export * from './party.js';
export * from './outcomes.js';
export * from './parties.js';
export * from './messages.js';
export * from './promises.js';
export * from './zones.js';

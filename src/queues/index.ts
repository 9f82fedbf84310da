export * from './users.js';
export * from './build.js';

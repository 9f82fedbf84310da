export * from './run.js';
export * from './steps.js';

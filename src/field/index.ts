/** Field visits: day plans for field agents and visit reports. See docs/field-visits.md. */
export * from './plan.js';
export * from './report.js';
export * from './rules.js';
export * from './input.js';

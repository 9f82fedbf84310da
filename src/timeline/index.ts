export * from './types.js';
export * from './errors.js';
export { TIMELINE_KEYS, ACCOUNT_KEYS, BUCKET_KEYS, parseTimeline, resolveStrategyPath, isStrategyPath } from './parse.js';
export { EVENT_KINDS, EVENT_KIND_NAMES, COMMON_EVENT_KEYS, MAX_TIMELINE_EVENTS, MAX_ATTEMPTS_PER_DAY, eventKind } from './events.js';
export type { EventKind, EventParseContext } from './events.js';
export { pathToString } from './source.js';
export type { FieldPath } from './source.js';
export * from './format.js';

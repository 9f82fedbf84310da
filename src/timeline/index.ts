export * from './types.js';
export * from './errors.js';
export { TIMELINE_KEYS, ACCOUNT_KEYS, BUCKET_KEYS, PARTY_KEYS, CONSUMER_KEYS, parseTimeline, resolveStrategyPath, resolvePackPaths, isStrategyPath } from './parse.js';
export { EVENT_KINDS, EVENT_KIND_NAMES, COMMON_EVENT_KEYS, MAX_TIMELINE_EVENTS, MAX_ATTEMPTS_PER_DAY, DEFAULT_ATTEMPT_TIME, eventKind, spreadTimes } from './events.js';
export type { EventKind, EventParseContext } from './events.js';
export { pathToString } from './source.js';
export type { FieldPath } from './source.js';
export * from './format.js';

export * from './types.js';
export * from './gate.js';
export * from './pack.js';
export { RulePackError, formatPackIssue, type PackIssue } from './params.js';
export { RULE_KINDS, RULE_KIND_NAMES, evaluateRule, fillReason, holdEnd, type Env, type KindDef, type TimedAttempt } from './rules.js';
export { localTime, instantAt, describeInstant, parseInstant, type LocalTime } from './zone.js';
export * from './calendar.js';
export * from './templates.js';
export * from './validation-notice.js';

/**
 * A validation error that names the field and the rule it broke.
 * `path` is a dotted field path (e.g. `accounts[0].principal`); `where` is an optional
 * location (file:line, row number) added by the edge that read the input.
 */
export class ValidationError extends Error {
  readonly field: string;
  readonly rule: string;
  readonly where: string | undefined;

  constructor(field: string, rule: string, where?: string) {
    super(`${where ? `${where}: ` : ''}${field}: ${rule}`);
    this.name = 'ValidationError';
    this.field = field;
    this.rule = rule;
    this.where = where;
  }
}

/** A domain rule was broken by a request that was well-formed (e.g. cycle dates out of order). */
export class DomainError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}

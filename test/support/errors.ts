import { ValidationError } from '../../src/core/index.js';

/** Runs `fn` and returns what it threw; fails the test when it throws nothing. */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** Runs `fn` and returns the ValidationError it threw; anything else (or nothing) fails the test. */
export function catchValidation(fn: () => unknown): ValidationError {
  const e = catchError(fn);
  if (e instanceof ValidationError) return e;
  throw e;
}

/** The ValidationError an async `fn` rejected with; anything else (or success) fails the test. */
export async function catchValidationAsync(fn: () => Promise<unknown>): Promise<ValidationError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

/** What a promise rejected with, when it is a `cls`; anything else (or success) fails the test. */
export async function rejection<E extends Error>(p: Promise<unknown>, cls: new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (e instanceof cls) return e;
    throw e;
  }
  throw new Error(`expected a ${cls.name}`);
}

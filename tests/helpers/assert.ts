/**
 * Assertions for the suite. @std/assert lives on JSR, which our machines
 * cannot reach, so these wrap Node's built-in assert (good diffs) with the
 * std names and a few helpers that return the error for further checks.
 */
import nodeAssert from "node:assert/strict";

/** Asserts deep equality, with a diff on failure. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  // Node's typings (pulled in by some npm packages) refuse an undefined message argument.
  if (message === undefined) nodeAssert.deepStrictEqual(actual, expected);
  else nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts that `actual` and `expected` differ. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  if (message === undefined) nodeAssert.notDeepStrictEqual(actual, expected);
  else nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts a truthy condition. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Asserts that a string matches a pattern. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (message === undefined) nodeAssert.match(actual, pattern);
  else nodeAssert.match(actual, pattern, message);
}

/** Asserts that a number is within `tolerance` of `expected`. */
export function assertAlmostEquals(actual: number, expected: number, tolerance = 1e-7): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new nodeAssert.AssertionError({
      message: `Expected ${actual} to be within ${tolerance} of ${expected}`,
      actual,
      expected,
    });
  }
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Asserts that `fn` rejects with an instance of `errorClass`, and returns the error. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  errorClass: ErrorClass<E>,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof errorClass) return error;
    throw new nodeAssert.AssertionError({
      message: `Expected ${errorClass.name}, got ${String(error)}`,
    });
  }
  throw new nodeAssert.AssertionError({ message: `Expected a rejection with ${errorClass.name}` });
}

/** Asserts that `fn` throws an instance of `errorClass`, and returns the error. */
export function assertThrows<E extends Error>(fn: () => unknown, errorClass: ErrorClass<E>): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof errorClass) return error;
    throw new nodeAssert.AssertionError({
      message: `Expected ${errorClass.name}, got ${String(error)}`,
    });
  }
  throw new nodeAssert.AssertionError({ message: `Expected ${errorClass.name} to be thrown` });
}

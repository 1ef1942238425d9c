import { expect } from 'vitest';
import { ArchzooError } from '../errors.js';

/**
 * Asserts that `fn` throws an ArchzooError of the form `Where: argument expected X, got Y` whose
 * message contains each of `parts` (the module, the argument, what was expected, what was given).
 *
 * @example
 * expectArchzooError(() => new Linear({ inFeatures: 0, outFeatures: 2 }), 'Linear', 'inFeatures');
 */
export function expectArchzooError(fn: () => unknown, ...parts: string[]): void {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected an ArchzooError containing ${JSON.stringify(parts)}`).toBeInstanceOf(
    ArchzooError,
  );
  const message = (error as Error).message;
  expect(message).toMatch(/^\S+: .* expected .*, got .+/s);
  for (const p of parts) expect(message).toContain(p);
}

/**
 * Throws the `TypeError` for a caller's mistake (an option, a listener...), naming what is wrong and
 * what it must be.
 *
 * @example
 * if (typeof listener !== 'function') invalidArgument('subscribe listener', 'a function');
 * // TypeError: Sigil: subscribe listener must be a function
 */
export function invalidArgument(name: string, expected: string): never {
  throw new TypeError(`Sigil: ${name} must be ${expected}`);
}

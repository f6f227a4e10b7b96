/**
 * Delay before retry number `attempt` (1 after the first failure): `base * 2^(attempt-1)`, at
 * most `max`, minus up to a quarter at random so that mails failing together (an SMTP outage)
 * do not all come back in the same second.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(exponential * (1 - random() * 0.25));
}

import type { Queryable } from '../storage/database.ts';
import type { MailData, MailTemplate } from './outbox.ts';

/**
 * Completes a queued mail just before its first send, inside the worker's claim transaction
 * (use `tx` for every query: on the embedded database another connection would wait on this
 * one). Its result replaces the mail's data and is kept, so retries send what it made; it runs
 * again only after `sigil mail retry` (its input then still holds the earlier result).
 * Resolving `undefined` marks the mail `skipped`: nothing is sent.
 *
 * This is how a forgotten-password request does the same work whether or not the address has
 * an account: the request only queues `{ email }`, and the resolver creates the link, or skips.
 *
 * @example
 * const resolvers: MailResolvers = {
 *   password_reset: async (tx, data, now) => {
 *     const link = await createResetLink(tx, data.email, now); // undefined: no such account
 *     return link ? { ...data, link } : undefined;
 *   },
 * };
 */
export type MailResolver<T extends MailTemplate> = (tx: Queryable, data: MailData[T], now: Date) => Promise<MailData[T] | undefined>;

/** At most one resolver per template; templates without one are sent as queued. */
export type MailResolvers = { [T in MailTemplate]?: MailResolver<T> };

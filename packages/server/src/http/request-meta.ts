import type { Request } from 'express';
import type { RequestMeta } from '../sessions/auth-service.ts';

/**
 * What the auth service needs to know of an HTTP request: the client IP (behind a proxy, as
 * `SIGIL_TRUST_PROXY` resolves it) and the User-Agent.
 *
 * @example
 * const bundle = await ctx.service.login(input, requestMeta(req));
 */
export function requestMeta(req: Request): RequestMeta {
  return { ip: clientIp(req), userAgent: req.headers['user-agent'] ?? null };
}

/**
 * The client IP that keys the per-IP limits; `unknown` when the socket has already gone.
 *
 * @example
 * await ctx.limits.consumeIp(clientIp(req));
 */
export function clientIp(req: Request): string {
  return req.ip ?? 'unknown';
}

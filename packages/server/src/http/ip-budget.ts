import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from './context.ts';
import { sendRateLimited } from './hosted/respond.ts';
import { clientIp } from './request-meta.ts';

/**
 * The per-IP budget (`SIGIL_IP_REQUESTS_PER_MINUTE`) of an API: every request but a preflight
 * (browsers send those on their own) spends one; a spent budget goes on to the router's error
 * handler as 429 `rate_limited`, in that router's error form.
 */
export function ipBudget(ctx: AppContext): RequestHandler {
  return async (req, _res, next) => {
    if (req.method !== 'OPTIONS') await ctx.limits.consumeIp(clientIp(req));
    next();
  };
}

/**
 * The same budget for a hosted page: a spent one is answered here with a page saying so (and
 * its Retry-After). Resolves to whether the request may go on.
 *
 * @example
 * if (!(await pageWithinIpBudget(ctx, req, res, 'Sign in'))) return;
 */
export async function pageWithinIpBudget(ctx: AppContext, req: Request, res: Response, title: string): Promise<boolean> {
  try {
    await ctx.limits.consumeIp(clientIp(req));
    return true;
  } catch (error) {
    sendRateLimited(res, error, title);
    return false;
  }
}

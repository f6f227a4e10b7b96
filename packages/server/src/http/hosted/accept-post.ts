import type { Request, Response } from 'express';
import type { AppContext } from '../context.ts';
import { checkFormCsrf, formFields, type FormFields } from './form.ts';
import { sendMessage } from './respond.ts';
import { resolveSignInTarget, type SignInTarget } from './sign-in-target.ts';
import { pageWithinIpBudget } from '../ip-budget.ts';

export interface AcceptedPost {
  fields: FormFields;
  /** Where the sign-in ends: the app's `return_to`, or an OAuth authorization. */
  target: SignInTarget;
  /** The CSRF token, to render again in a page that answers the post. */
  csrfToken: string;
}

/** What a page says when it refuses a post. */
export interface PostRefusals {
  title: string;
  /** The `return_to` is missing or not an allowed application URL. */
  badReturnTo: string;
  /** The CSRF check failed: the form is stale or came from elsewhere. */
  expired: string;
}

/**
 * The start every hosted form post with a `return_to` shares (`/login`, `/signup`): the per-IP
 * budget, then the `return_to` and the CSRF checks. A refusal is answered here as a page and
 * yields undefined; otherwise the post's fields come back.
 */
export async function acceptFormPost(
  ctx: AppContext,
  req: Request,
  res: Response,
  refusals: PostRefusals,
): Promise<AcceptedPost | undefined> {
  if (!(await pageWithinIpBudget(ctx, req, res, refusals.title))) return undefined;
  const fields = formFields(req);
  const target = await resolveSignInTarget(ctx, fields.return_to);
  if (!target) {
    sendMessage(res, 400, refusals.title, refusals.badReturnTo);
    return undefined;
  }
  const csrfToken = checkFormCsrf(req, ctx.issuer());
  if (!csrfToken) {
    sendMessage(res, 400, refusals.title, refusals.expired);
    return undefined;
  }
  return { fields, target, csrfToken };
}

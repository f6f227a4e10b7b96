import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import express, { type Request } from 'express';
import { CSRF_COOKIE, readCookie } from '../cookies.ts';

/** Form posts of the hosted pages: urlencoded, small, few fields. */
export const parseForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 });

/** The posted fields; only strings count (a repeated field is an array and is ignored). */
export type FormFields = Record<string, string | undefined>;

export function formFields(req: Request): FormFields {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const fields: FormFields = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The double-submit CSRF check of a hosted form: the `csrf_token` field must equal the
 * `sigil_csrf` cookie (SameSite=Strict, so no other site's page can send it), and the Origin,
 * when the browser sends one, must be the issuer's. Pages whose URL holds a link token are served
 * with `Referrer-Policy: no-referrer`, under which browsers send `Origin: null` with the form
 * post: those forms pass `opaqueOrigin: true` and rest on the token pair. Returns the CSRF token
 * to render again, or undefined for a refused post.
 *
 * @example
 * const csrf = checkFormCsrf(req, ctx.issuer());
 * if (!csrf) return sendMessage(res, 400, 'Sign in', 'Your form expired. Go back and try again.');
 */
export function checkFormCsrf(req: Request, issuer: string, options: { opaqueOrigin?: boolean } = {}): string | undefined {
  const origin = req.headers.origin;
  const originAllowed = !origin || origin === new URL(issuer).origin || (options.opaqueOrigin === true && origin === 'null');
  const cookie = readCookie(req, CSRF_COOKIE);
  const field = formFields(req).csrf_token;
  if (!originAllowed || !cookie || field === undefined || !sameToken(cookie, field)) return undefined;
  return cookie;
}

/** The first problem of each field, by field name, from a failed zod parse of the form. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    errors[name] ??= issue.message;
  }
  return errors;
}

/** The page-level sentence above a form whose fields have problems (each is shown beside its field). */
export const FIX_FIELDS = 'Please correct the fields marked below.';

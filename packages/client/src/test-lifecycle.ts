// The account-lifecycle endpoints of docs/server.md (verification, reset, email change, deletion,
// signup with required verification) for the client's tests, answering with their documented
// shapes and codes in front of the real @sigil/server, which authenticates every Bearer request
// (`service.authenticate`) and ends the sessions a deletion ends. Links are not mailed: `linkToken`
// hands a test the token its mail would carry. Not part of the package API.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthServer } from '@sigil/server';

/** The paths answered here; everything else goes to the real auth server. */
const PATHS = new Set([
  '/auth/email/verification',
  '/auth/email/verify',
  '/auth/password/forgot',
  '/auth/password/reset',
  '/auth/email/change',
  '/auth/account',
]);

export interface LifecycleOptions {
  /** The password every test account has (the stand-in checks it for email change and deletion). */
  password: string;
  /** `SIGIL_EMAIL_VERIFICATION=required`: signup answers with the user and no tokens. */
  verificationRequired?: boolean;
  /** Verification mails per user before 429. @default 3 */
  verificationLimit?: number;
}

type Link = { kind: 'verify' | 'reset'; email: string; newEmail?: string };

export function lifecycleStandIn(auth: AuthServer, options: LifecycleOptions) {
  const links = new Map<string, Link>();
  const verified = new Set<string>();
  const sent = new Map<string, number>();
  const requests: Array<{ method: string; path: string; body: Record<string, unknown> }> = [];

  function issue(link: Link): void {
    links.set(randomBytes(32).toString('base64url'), link);
  }

  const publicUser = (user: { id: string; email: string; name: string | null; roles: readonly string[] }, email = user.email) => ({
    id: user.id,
    email,
    name: user.name,
    roles: user.roles,
    email_verified: verified.has(email),
  });

  async function caller(req: IncomingMessage) {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) throw problemOf(401, 'invalid_token');
    return auth.service.authenticate(header.slice(7)).catch(() => {
      throw problemOf(401, 'invalid_token');
    });
  }

  async function answer(method: string, path: string, body: Record<string, unknown>, req: IncomingMessage): Promise<[number, unknown?]> {
    const text = (name: string) => {
      const value = body[name];
      if (typeof value !== 'string' || value === '') throw problemOf(400, 'invalid_request');
      return value;
    };
    switch (`${method} ${path}`) {
      case 'POST /auth/signup': {
        const user = await auth.createUser({ email: text('email'), password: text('password'), name: (body['name'] as string) ?? null });
        issue({ kind: 'verify', email: user.email });
        return [201, { user: publicUser(user), email_verification_required: true }];
      }
      case 'POST /auth/email/verification': {
        const { user } = await caller(req);
        const count = (sent.get(user.id) ?? 0) + 1;
        sent.set(user.id, count);
        if (count > (options.verificationLimit ?? 3)) throw problemOf(429, 'rate_limited');
        issue({ kind: 'verify', email: user.email });
        return [202];
      }
      case 'POST /auth/email/verify': {
        const link = links.get(text('token'));
        if (link?.kind !== 'verify') throw problemOf(400, 'invalid_grant');
        links.delete(text('token'));
        const email = link.newEmail ?? link.email;
        verified.add(email);
        const user = await auth.service.findUserByEmail(link.email);
        return [200, { user: publicUser(user!, email) }];
      }
      case 'POST /auth/password/forgot': {
        const email = text('email');
        if (!email.includes('@')) throw problemOf(400, 'invalid_request');
        if (await auth.service.findUserByEmail(email)) issue({ kind: 'reset', email });
        return [202];
      }
      case 'POST /auth/password/reset': {
        const link = links.get(text('token'));
        if (text('new_password').length < 8) throw problemOf(400, 'invalid_request');
        if (link?.kind !== 'reset') throw problemOf(400, 'invalid_grant');
        links.delete(text('token'));
        return [204];
      }
      case 'POST /auth/email/change': {
        const { user } = await caller(req);
        if (text('password') !== options.password) throw problemOf(401, 'invalid_credentials');
        if (await auth.service.findUserByEmail(text('new_email'))) throw problemOf(409, 'email_taken');
        issue({ kind: 'verify', email: user.email, newEmail: text('new_email') });
        return [202];
      }
      case 'DELETE /auth/account': {
        const authenticated = await caller(req);
        if (text('password') !== options.password) throw problemOf(401, 'invalid_credentials');
        for (const session of await auth.service.listSessions(authenticated)) {
          await auth.service.revokeSession(authenticated, session.id);
        }
        await auth.service.setUserDisabled(authenticated.user.id, true);
        return [204];
      }
      default:
        throw problemOf(404, 'not_found');
    }
  }

  return {
    requests,
    /** Whether this request is one of the stand-in's. */
    handles: (req: IncomingMessage) =>
      PATHS.has(req.url ?? '') || (options.verificationRequired === true && req.method === 'POST' && req.url === '/auth/signup'),
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const raw = await readBody(req);
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      const method = req.method ?? '';
      const path = req.url ?? '';
      requests.push({ method, path, body });
      const [status, payload] = await answer(method, path, body, req).catch((error: unknown): [number, unknown] => {
        if (error instanceof Problem)
          return [error.status, { type: 'about:blank', title: error.code, status: error.status, code: error.code }];
        throw error;
      });
      const headers: Record<string, string> =
        payload === undefined ? {} : { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' };
      if (status === 429) headers['retry-after'] = '60';
      if ((payload as { code?: string } | undefined)?.code === 'invalid_token')
        headers['www-authenticate'] = 'Bearer error="invalid_token"';
      res.writeHead(status, headers);
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    },
    /** The token of the last link mailed to `email` for `kind`, as the mail's link carries it. */
    linkToken(kind: Link['kind'], email: string): string {
      const found = [...links].reverse().find(([, link]) => link.kind === kind && link.email === email);
      if (!found) throw new Error(`no ${kind} link for ${email}`);
      return found[0];
    },
  };
}
export type LifecycleStandIn = ReturnType<typeof lifecycleStandIn>;

class Problem extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string) {
    super(code);
    this.status = status;
    this.code = code;
  }
}
const problemOf = (status: number, code: string) => new Problem(status, code);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

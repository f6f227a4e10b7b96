/**
 * The demo lessons API (docs/architecture.md, "Demo apps"), protected by @sigil/express:
 * `GET /api/public` (open), `GET /api/lessons` (any valid token), `POST /api/lessons` (role
 * `admin`), `DELETE /api/lessons/:id` (role `admin` and a second factor used within the last 5
 * minutes: the step-up route), `GET /api/me` (the token's claims).
 */
import express, { type Express } from 'express';
import { createSigil, SigilError, type RequireAuthOptions, type SigilLogger } from '@sigil/express';
import { cors } from './cors.ts';
import { createLessonStore, parseNewLesson, type LessonStore } from './lessons.ts';

/** Options of {@link createApiApp}. */
export interface ApiAppOptions {
  /** Auth server issuer. @default 'http://localhost:4000' */
  issuer?: string;
  /** Expected token audience. @default 'sigil' */
  audience?: string;
  /** Origins allowed by CORS. @default ['http://localhost:4200'] */
  allowedOrigins?: readonly string[];
  /** Extra `requireAuth` options (e.g. `jwksUri`, `jwks`, `tokenCache`). */
  auth?: Partial<RequireAuthOptions>;
  /** Where warnings go (key set failures, 500s). @default silent */
  logger?: SigilLogger;
  /** Lesson storage. @default a fresh in-memory store */
  lessons?: LessonStore;
}

const REALM = 'sigil-demo-api';

/**
 * Builds the demo API app (not listening).
 *
 * @example
 * const app = createApiApp({ issuer: 'http://localhost:4000' });
 * app.listen(3000);
 */
export function createApiApp(options: ApiAppOptions = {}): Express {
  const logger = options.logger ?? { warn() {} };
  const lessons = options.lessons ?? createLessonStore();
  const sigil = createSigil({
    issuer: options.issuer ?? 'http://localhost:4000',
    audience: options.audience ?? 'sigil',
    realm: REALM,
    logger,
    ...options.auth,
  });
  const auth = sigil.requireAuth();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(cors(options.allowedOrigins ?? ['http://localhost:4200']));
  app.use(express.json({ limit: '10kb' }));

  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Hello from the Sigil demo API. No token needed here.' });
  });

  app.get('/api/lessons', auth, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ lessons: lessons.list() });
  });

  app.post('/api/lessons', auth, sigil.requireRole('admin'), (req, res) => {
    if (!req.is('application/json')) throw new SigilError('invalid_request', 'Send the lesson as application/json', { status: 415 });
    const parsed = parseNewLesson(req.body);
    if (!parsed.ok) throw new SigilError('invalid_request', 'The lesson is invalid', { errors: parsed.errors });
    const lesson = lessons.add(parsed.value, req.auth?.sub ?? null);
    res.status(201).location(`/api/lessons/${lesson.id}`).json({ lesson });
  });

  // Deleting is the demo's step-up route: an admin who signed in with a password alone, or more
  // than 5 minutes ago, gets RFC 9470's insufficient_user_authentication challenge and the web
  // app signs them in again with their second factor before retrying.
  app.delete('/api/lessons/:id', auth, sigil.requireRole('admin'), sigil.requireAuthLevel({ amr: ['mfa'], maxAge: 300 }), (req, res) => {
    const id = String(req.params.id);
    if (!lessons.remove(id)) throw new SigilError('not_found', 'There is no lesson with this id');
    res.status(204).end();
  });

  app.get('/api/me', auth, (req, res) => {
    res.set('Cache-Control', 'no-store').json(req.auth);
  });

  app.use((req) => {
    throw new SigilError('not_found', `No route for ${req.method} ${req.path}`);
  });
  app.use(
    sigil.problemHandler({
      log: (error) =>
        logger.warn({ event: 'api_error', error: error instanceof Error ? error.message : String(error) }, 'demo api: unexpected error'),
    }),
  );
  return app;
}

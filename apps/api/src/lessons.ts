/**
 * The lessons of the demo: an in-memory list seeded with a few entries, and the validation of a
 * new lesson (POST body). Kept apart from HTTP so the rules read in one place.
 */
import { randomUUID } from 'node:crypto';
import type { FieldError } from '@sigil/express';

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;

/** A lesson as the API returns it. */
export interface Lesson {
  id: string;
  title: string;
  summary: string;
  level: (typeof LEVELS)[number];
  createdAt: string;
  /** `sub` of the admin who added it; null for the seeded lessons. */
  createdBy: string | null;
}

/** What POST /api/lessons accepts. */
export interface NewLesson {
  title: string;
  summary: string;
  level: Lesson['level'];
}

/** In-memory lesson store. */
export interface LessonStore {
  list(): Lesson[];
  add(input: NewLesson, createdBy: string | null): Lesson;
  /** Removes a lesson; false when there is none with that id. */
  remove(id: string): boolean;
}

const SEED: NewLesson[] = [
  { title: 'What a JWT is (and is not)', summary: 'Header, claims, signature: what each part proves.', level: 'beginner' },
  {
    title: 'Refresh tokens that rotate',
    summary: 'Why every refresh issues a new token and reuse revokes the session.',
    level: 'intermediate',
  },
  { title: 'Key rotation without downtime', summary: 'Publish before signing, keep until the last token expires.', level: 'advanced' },
];

/** Creates a store seeded with the demo lessons. */
export function createLessonStore(): LessonStore {
  const created = new Date().toISOString();
  const lessons: Lesson[] = SEED.map((l) => ({ ...l, id: randomUUID(), createdAt: created, createdBy: null }));
  return {
    list: () => lessons.map((l) => ({ ...l })),
    add(input, createdBy) {
      const lesson: Lesson = { ...input, id: randomUUID(), createdAt: new Date().toISOString(), createdBy };
      lessons.push(lesson);
      return { ...lesson };
    },
    remove(id) {
      const index = lessons.findIndex((l) => l.id === id);
      if (index === -1) return false;
      lessons.splice(index, 1);
      return true;
    },
  };
}

/** Validates a POST body: `{ title (1-200 chars), summary? (<= 2000), level? }`. */
export function parseNewLesson(body: unknown): { ok: true; value: NewLesson } | { ok: false; errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ path: '', message: 'body must be a JSON object' }] };
  }
  const { title, summary = '', level = 'beginner', ...rest } = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof title !== 'string' || title.trim().length === 0 || title.trim().length > 200) {
    errors.push({ path: 'title', message: 'title must be a string of 1 to 200 characters' });
  }
  if (typeof summary !== 'string' || summary.length > 2000)
    errors.push({ path: 'summary', message: 'summary must be a string of at most 2000 characters' });
  if (!LEVELS.includes(level as Lesson['level'])) errors.push({ path: 'level', message: `level must be one of ${LEVELS.join(', ')}` });
  for (const key of Object.keys(rest)) errors.push({ path: key, message: 'unknown field' });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { title: (title as string).trim(), summary: (summary as string).trim(), level: level as Lesson['level'] } };
}

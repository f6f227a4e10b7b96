import { NO_STORE, html, json, problem, responseRef, type Json } from './shared.ts';

/** The development mailbox (http/routes/dev-mailbox.ts): served only while mail goes to it. */
export function devMailboxPaths(): Json {
  const absent = problem('Not served: `SIGIL_SMTP_URL` is set, or the issuer is not a loopback address.', ['not_found']);
  const description =
    'Only without `SIGIL_SMTP_URL` and with a loopback issuer (`http://localhost`, `127.0.0.1` or `[::1]`), where mail is shown instead of sent: the newest 100 mails sent, newest first.';
  return {
    '/dev/mailbox': {
      get: {
        operationId: 'devMailboxPage',
        tags: ['development'],
        summary: 'The development mailbox (HTML, no JavaScript)',
        description,
        responses: {
          '200': {
            description: 'The mails, with their text and clickable links.',
            headers: { ...NO_STORE, 'Content-Security-Policy': { schema: { type: 'string' } } },
            ...html(),
          },
          '404': absent,
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
    '/dev/mailbox.json': {
      get: {
        operationId: 'devMailbox',
        tags: ['development'],
        summary: 'The development mailbox as JSON (for end-to-end tests)',
        description,
        responses: {
          '200': {
            description: 'The mails.',
            ...json(
              {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'to', 'subject', 'text', 'links', 'created_at'],
                  properties: {
                    id: { type: 'string', format: 'uuid' },
                    to: { type: 'string' },
                    subject: { type: 'string' },
                    text: { type: 'string', description: 'The text part.' },
                    links: { type: 'array', items: { type: 'string', format: 'uri' }, description: 'The links of the mail, in order.' },
                    created_at: { type: 'string', format: 'date-time' },
                  },
                },
              },
              NO_STORE,
            ),
          },
          '404': absent,
          '500': responseRef('InternalError'),
          '503': responseRef('Unavailable'),
        },
      },
    },
  };
}

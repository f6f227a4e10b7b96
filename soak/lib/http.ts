/**
 * One HTTP call through nginx with a timeout. Never throws: a network error or timeout is
 * status 0. `upstream` is nginx's `$upstream_addr` (X-Upstream header): two addresses mean nginx
 * failed over from the first to the second.
 */
export interface Reply {
  status: number;
  body: any;
  retryAfter: string | null;
  upstream: string | null;
  ms: number;
  error?: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  token?: string;
  json?: unknown;
  /** Simulated client address (nginx appends it to X-Forwarded-For; the auth servers trust loopback). */
  ip?: string;
  timeoutMs?: number;
}

export async function call(url: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.ip) headers['x-forwarded-for'] = options.ip;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return {
      status: response.status,
      body,
      retryAfter: response.headers.get('retry-after'),
      upstream: response.headers.get('x-upstream'),
      ms: performance.now() - started,
    };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status: 0,
      body: undefined,
      retryAfter: null,
      upstream: null,
      ms: performance.now() - started,
      error: name === 'TimeoutError' ? 'timeout' : 'network',
    };
  }
}

/** The upstream that answered (the last one nginx tried). */
export function answeredBy(reply: Reply): string | undefined {
  return reply.upstream?.split(',').at(-1)?.trim() || undefined;
}

/** True when nginx tried more than one upstream for this request. */
export function failedOver(reply: Reply): boolean {
  return (reply.upstream ?? '').includes(',');
}

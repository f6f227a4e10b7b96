/**
 * One bounded GET for the key set and the discovery document, with node:http / node:https: a
 * total timeout (connect, headers and body), a size limit, and no redirects, each explicit here.
 *
 * Redirects are not followed (as jose's remote key set): a key set URL that redirects is a
 * misconfiguration or an attack, and is reported as such.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

/** A response's body text (UTF-8) and its `Cache-Control` header. */
export interface FetchedText {
  readonly text: string;
  readonly cacheControl: string | null;
}

/** Why a GET failed: the exchange (`network`, `timeout`), or the response (`status`, `too_large`). */
export class FetchTextError extends Error {
  readonly kind: 'network' | 'timeout' | 'status' | 'too_large';
  constructor(kind: FetchTextError['kind'], message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'FetchTextError';
    this.kind = kind;
  }
}

/**
 * GETs `uri` (http or https) with `Accept: application/json`. Rejects with {@link FetchTextError}
 * when it takes longer than `timeoutMs` in all (connect, headers and body), on a status other than
 * 2xx, or when the body exceeds `maxBytes`.
 */
export function fetchText(uri: string, timeoutMs: number, maxBytes: number): Promise<FetchedText> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: FetchTextError | undefined, result?: FetchedText) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(result as FetchedText);
    };
    const get = uri.startsWith('https:') ? httpsGet : httpGet;
    let request: ReturnType<typeof httpGet>;
    try {
      request = get(uri, { headers: { accept: 'application/json' } }, (response) => receive(response, maxBytes, finish));
    } catch (error) {
      // An unusable URL (bad port, host) throws synchronously.
      reject(new FetchTextError('network', 'network error', error));
      return;
    }
    request.on('error', (error) => finish(new FetchTextError('network', 'network error', error)));
    const timer = setTimeout(() => finish(new FetchTextError('timeout', `timed out after ${timeoutMs} ms`)), timeoutMs);
  });
}

function receive(
  response: IncomingMessage,
  maxBytes: number,
  finish: (error: FetchTextError | undefined, result?: FetchedText) => void,
): void {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) return finish(new FetchTextError('status', `HTTP ${status}`));
  if (Number(response.headers['content-length']) > maxBytes) return finish(new FetchTextError('too_large', 'response too large'));
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) return finish(new FetchTextError('too_large', 'response too large'));
    chunks.push(chunk);
  });
  response.on('error', (error) => finish(new FetchTextError('network', 'network error', error)));
  // A connection that closes before the body is complete is an error, not a short body.
  response.on('close', () => {
    if (!response.complete) finish(new FetchTextError('network', 'network error'));
  });
  response.on('end', () => {
    const cacheControl = response.headers['cache-control'];
    finish(undefined, { text: Buffer.concat(chunks, size).toString('utf8'), cacheControl: cacheControl ?? null });
  });
}

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchText, FetchTextError } from './fetch-text.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: RequestListener): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

async function failureOf(promise: Promise<unknown>): Promise<FetchTextError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchTextError);
  return error as FetchTextError;
}

describe('fetchText', () => {
  it('returns the body and Cache-Control, asking for JSON', async () => {
    let accept: string | undefined;
    const { url } = await serve((req, res) => {
      accept = req.headers.accept;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' }).end('{"keys":[]}');
    });
    expect(await fetchText(`${url}/jwks`, 1_000, 1_000)).toEqual({ text: '{"keys":[]}', cacheControl: 'public, max-age=60' });
    expect(accept).toBe('application/json');
  });

  it('decodes UTF-8 split across chunks, and reports a missing Cache-Control as null', async () => {
    const bytes = Buffer.from('{"name":"Zoë ✓"}');
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      const cut = bytes.indexOf(0xc3) + 1; // inside "ë"
      res.write(bytes.subarray(0, cut));
      setTimeout(() => res.end(bytes.subarray(cut)), 20);
    });
    expect(await fetchText(url, 1_000, 1_000)).toEqual({ text: '{"name":"Zoë ✓"}', cacheControl: null });
  });

  it('rejects a status other than 2xx, and does not follow redirects', async () => {
    const { url, paths } = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/jwks' }).end();
      else if (req.url === '/jwks') res.writeHead(200).end('{"keys":[]}');
      else res.writeHead(503).end('down');
    });
    expect(await failureOf(fetchText(`${url}/moved`, 1_000, 1_000))).toMatchObject({ kind: 'status', message: 'HTTP 302' });
    expect(await failureOf(fetchText(`${url}/other`, 1_000, 1_000))).toMatchObject({ kind: 'status', message: 'HTTP 503' });
    expect(paths).toEqual(['/moved', '/other']);
  });

  it('rejects a body over the limit, whether declared or streamed', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': '2000' }).end('x'.repeat(2_000));
      else {
        // Chunked, no length: the limit applies while reading.
        res.writeHead(200);
        const timer = setInterval(() => res.write('x'.repeat(400)), 5);
        res.on('close', () => clearInterval(timer));
      }
    });
    expect(await failureOf(fetchText(`${url}/declared`, 1_000, 1_000))).toMatchObject({ kind: 'too_large' });
    expect(await failureOf(fetchText(`${url}/streamed`, 2_000, 1_000))).toMatchObject({ kind: 'too_large' });
  });

  it('gives up after the timeout, headers or body', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/slow-body') {
        res.writeHead(200);
        res.write('{"keys":');
      }
      // otherwise: never answers
    });
    const started = Date.now();
    expect(await failureOf(fetchText(`${url}/silent`, 150, 1_000))).toMatchObject({ kind: 'timeout', message: 'timed out after 150 ms' });
    expect(await failureOf(fetchText(`${url}/slow-body`, 150, 1_000))).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a connection that is refused, or closed before the body is complete, as a network error', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"keys":');
      setTimeout(() => res.destroy(), 20);
    });
    const cut = await failureOf(fetchText(url, 1_000, 1_000));
    expect(cut.kind).toBe('network');
    const closed = await serve(() => {});
    const port = new URL(closed.url).port;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const refused = await failureOf(fetchText(`http://127.0.0.1:${port}/`, 1_000, 1_000));
    expect(refused).toMatchObject({ kind: 'network' });
    expect((refused.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('speaks TLS to an https URL (a plain-HTTP server there is a network error) and rejects unusable URLs', async () => {
    const { url, paths } = await serve((_req, res) => res.end('{}'));
    expect(await failureOf(fetchText(url.replace('http:', 'https:'), 1_000, 1_000))).toMatchObject({ kind: 'network' });
    expect(paths).toEqual([]);
    expect(await failureOf(fetchText('http://127.0.0.1:99999/', 1_000, 1_000))).toMatchObject({ kind: 'network' });
  });
});

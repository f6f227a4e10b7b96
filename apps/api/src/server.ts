/**
 * Starts the demo API on a port and stops it cleanly: what `main.ts` and the root `npm start`
 * use, so neither re-implements listening and draining.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApiApp, type ApiAppOptions } from './app.ts';

/** A running demo API. */
export interface RunningApi {
  /** Base URL, e.g. http://127.0.0.1:3000. */
  url: string;
  port: number;
  /** Stops accepting connections and waits for in-flight requests (at most `drainMs`). */
  close(drainMs?: number): Promise<void>;
}

/**
 * Builds the app and listens on `port` (0: a free port) and `host`.
 *
 * @example
 * const api = await startApiServer({ port: 3000, issuer: 'http://localhost:4000' });
 * console.log(api.url);
 * await api.close();
 */
export async function startApiServer(options: ApiAppOptions & { port?: number; host?: string } = {}): Promise<RunningApi> {
  const { port = 3000, host = '127.0.0.1', ...appOptions } = options;
  const server = createApiApp(appOptions).listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close(drainMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), drainMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

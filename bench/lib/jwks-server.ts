/** A tiny local JWKS endpoint (and discovery document) on 127.0.0.1, counting its requests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface JwksServer {
  url: string;
  jwksUri: string;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startJwksServer(jwks: { keys: JWK[] }): Promise<JwksServer> {
  let requests = 0;
  const body = JSON.stringify(jwks);
  const server: Server = createServer((req, res) => {
    requests++;
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' }).end(body);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The soak's deployment on 127.0.0.1: two auth server processes and two demo API processes on one
 * PostgreSQL schema and one Redis key prefix, behind nginx (Debian's package, run in the
 * foreground as a child with a temporary prefix and config). Every name (schema, Redis prefix,
 * temp directory) carries the pid and random bytes; `close()` removes all of it.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { sleep } from './util.ts';

const AUTH_ENTRY = fileURLToPath(new URL('../auth-instance.ts', import.meta.url));
const API_ENTRY = fileURLToPath(new URL('../api-instance.ts', import.meta.url));

export interface ClusterOptions {
  databaseUrl: string;
  redisUrl: string;
  nginx: string;
  /** Extra SIGIL_* settings for every auth instance. */
  authEnv: Record<string, string>;
  log: (line: string) => void;
}

export interface AuthInstance {
  name: string;
  port: number;
  /** `127.0.0.1:port`, as nginx's `$upstream_addr` names it. */
  addr: string;
  child: ChildProcess | undefined;
  /** Runs an admin command on this instance's KeyManager (IPC). */
  admin(cmd: 'rotate' | 'revoke' | 'reload' | 'list', args?: { immediate?: boolean; kid?: string }): Promise<any>;
}

export interface Cluster {
  url: string;
  schema: string;
  redisPrefix: string;
  auth: AuthInstance[];
  apiAddrs: string[];
  /** Key-set events the API instances logged: `jwks_refreshed` (with the key count), `jwks_unknown_kid`. */
  apiEvents: Array<{ api: string; at: number; event: string; keys?: number }>;
  /** Processes that exited without being told to (crashes): must stay empty. */
  unexpectedExits: string[];
  kill9(instance: AuthInstance): void;
  restart(instance: AuthInstance): Promise<void>;
  close(): Promise<{ schemaDropped: boolean; redisKeysDeleted: number }>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[name]) env[name] = process.env[name]!;
  return env;
}

async function waitFor<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not ready after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const schema = `sigil_soak_${tag}`;
  const redisPrefix = `sigil-soak:${tag}:`;
  const dir = mkdtempSync(join(tmpdir(), `sigil-soak-${process.pid}-`));
  const children = new Set<ChildProcess>();
  const unexpectedExits: string[] = [];
  let closing = false;
  const watch = (name: string, child: ChildProcess) => {
    child.once('exit', (code, signal) => {
      if (!closing && !(child as ChildProcess & { soakKilled?: boolean }).soakKilled)
        unexpectedExits.push(`${name} exited (${code ?? signal}) at ${new Date().toISOString()}`);
    });
  };
  const logs: WriteStream[] = [];
  const logFile = (name: string) => {
    const stream = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
    logs.push(stream);
    return stream;
  };

  const nginxPort = await freePort();
  const url = `http://127.0.0.1:${nginxPort}`;
  const authEnv = {
    ...baseEnv(),
    DATABASE_URL: options.databaseUrl,
    SIGIL_DATABASE_SCHEMA: schema,
    REDIS_URL: options.redisUrl,
    SIGIL_REDIS_PREFIX: redisPrefix,
    SIGIL_ISSUER: url,
    HOST: '127.0.0.1',
    SIGIL_KEY_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    ...options.authEnv,
  };

  let nextId = 1;
  const startAuth = async (instance: AuthInstance) => {
    const child = fork(AUTH_ENTRY, [], {
      execArgv: ['--conditions=sigil-source'],
      env: { ...authEnv, PORT: String(instance.port) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    watch(instance.name, child);
    const out = logFile(instance.name);
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    const ready = new Promise<string>((resolve, reject) => {
      child.on('message', (m: { ready?: boolean; url?: string }) => m.ready && resolve(m.url!));
      child.once('exit', (code, signal) =>
        reject(new Error(`${instance.name} exited (${code ?? signal}) before listening; see ${join(dir, instance.name + '.log')}`)),
      );
    });
    const listening = await waitFor(instance.name, 60_000, ready);
    instance.port = Number(new URL(listening).port);
    instance.addr = `127.0.0.1:${instance.port}`;
    instance.child = child;
  };

  const makeAuth = (name: string): AuthInstance => {
    const instance: AuthInstance = {
      name,
      port: 0,
      addr: '',
      child: undefined,
      admin(cmd, args = {}) {
        const child = instance.child;
        if (!child?.connected) return Promise.reject(new Error(`${name} is not running`));
        const id = nextId++;
        return waitFor(
          `${name} ${cmd}`,
          30_000,
          new Promise((resolve, reject) => {
            const onMessage = (m: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
              if (m.id !== id) return;
              child.off('message', onMessage);
              if (m.ok) resolve(m.result);
              else reject(new Error(`${name} ${cmd}: ${m.error}`));
            };
            child.on('message', onMessage);
            child.send({ id, cmd, ...args });
          }),
        );
      },
    };
    return instance;
  };

  const auth = [makeAuth('auth-1'), makeAuth('auth-2')];
  const apiAddrs: string[] = [];
  const apiEvents: Cluster['apiEvents'] = [];

  const close = async () => {
    closing = true;
    for (const child of children) child.kill('SIGTERM');
    const deadline = Date.now() + 5_000;
    while (children.size > 0 && Date.now() < deadline) await sleep(100);
    for (const child of children) child.kill('SIGKILL');
    for (const stream of logs) stream.end();
    let schemaDropped = false;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    try {
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      schemaDropped = true;
    } catch (error) {
      options.log(`cleanup: could not drop schema ${schema}: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
    let redisKeysDeleted = 0;
    const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (let round = 0, cursor = '0'; round < 10_000; round++) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
        if (keys.length) redisKeysDeleted += await redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    } catch (error) {
      options.log(`cleanup: could not delete Redis keys ${redisPrefix}*: ${(error as Error).message}`);
    } finally {
      redis.disconnect();
    }
    if (!process.env.SOAK_KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
    else options.log(`logs kept in ${dir}`);
    return { schemaDropped, redisKeysDeleted };
  };

  try {
    // Both auth instances start together on the empty schema: migrations and the first key are
    // created under advisory locks (part of what this soak checks).
    await Promise.all(auth.map(startAuth));

    for (const name of ['api-1', 'api-2']) {
      // Forked (IPC channel) only so that it exits if this runner dies without cleaning up.
      const child = fork(API_ENTRY, [], {
        execArgv: ['--conditions=sigil-source'],
        env: { ...baseEnv(), PORT: '0', HOST: '127.0.0.1', SIGIL_ISSUER: url, SIGIL_AUDIENCE: 'sigil' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      watch(name, child);
      const out = logFile(name);
      child.stderr!.pipe(out, { end: false });
      const listening = new Promise<string>((resolve, reject) => {
        let buffered = '';
        let partial = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out.write(chunk);
          if (buffered.length < 4096) buffered += chunk.toString();
          const match = /listening on (http:\/\/[^\s]+)/.exec(buffered);
          if (match) resolve(match[1]!);
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const event = /"event":"(jwks_[a-z_]+)"/.exec(line)?.[1];
            if (event && apiEvents.length < 100_000)
              apiEvents.push({ api: name, at: Date.now(), event, keys: Number(/"keys":(\d+)/.exec(line)?.[1] ?? Number.NaN) });
          }
        });
        child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
      });
      apiAddrs.push(new URL(await waitFor(name, 60_000, listening)).host);
    }

    const upstream = (addrs: string[]) => addrs.map((a) => `    server ${a} max_fails=1 fail_timeout=2s;`).join('\n');
    const conf = `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream sigil_auth {
${upstream(auth.map((a) => a.addr))}
    keepalive 32;
  }
  upstream sigil_api {
${upstream(apiAddrs)}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${nginxPort};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_connect_timeout 2s;
    proxy_send_timeout 20s;
    proxy_read_timeout 20s;
    # Idempotent failover only: nginx never resends a POST it has already sent (no non_idempotent).
    proxy_next_upstream error timeout http_502;
    proxy_next_upstream_tries 2;
    add_header X-Upstream $upstream_addr always;
    location /api/ { proxy_pass http://sigil_api; }
    location / { proxy_pass http://sigil_auth; }
  }
}
`;
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const nginx = spawn(
      options.nginx,
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'nginx-error.log'), '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(nginx);
    nginx.once('exit', () => children.delete(nginx));
    watch('nginx', nginx);
    const nginxOut = logFile('nginx');
    nginx.stdout.pipe(nginxOut, { end: false });
    nginx.stderr.pipe(nginxOut, { end: false });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start; see ${dir}/nginx-error.log`);
      await sleep(200);
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    url,
    schema,
    redisPrefix,
    auth,
    apiAddrs,
    unexpectedExits,
    apiEvents,
    kill9(instance) {
      if (instance.child) (instance.child as ChildProcess & { soakKilled?: boolean }).soakKilled = true;
      instance.child?.kill('SIGKILL');
      instance.child = undefined;
    },
    restart: (instance) => startAuth(instance),
    close,
  };
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadApiConfig } from './config.ts';

describe('loadApiConfig', () => {
  it('has the documented defaults', () => {
    expect(loadApiConfig({})).toEqual({
      issuer: 'http://localhost:4000',
      audience: 'sigil',
      allowedOrigins: ['http://localhost:4200'],
      port: 3000,
      host: '127.0.0.1',
    });
  });

  it('reads the environment', () => {
    const config = loadApiConfig({
      SIGIL_ISSUER: 'https://auth.example.com',
      SIGIL_AUDIENCE: 'lessons',
      API_ALLOWED_ORIGINS: 'https://a.example.com, http://localhost:4300',
      PORT: '8080',
    });
    expect(config).toMatchObject({
      issuer: 'https://auth.example.com',
      audience: 'lessons',
      allowedOrigins: ['https://a.example.com', 'http://localhost:4300'],
      port: 8080,
    });
  });

  it.each([
    { SIGIL_ISSUER: 'not a url' },
    { PORT: 'eighty' },
    { PORT: '70000' },
    { API_ALLOWED_ORIGINS: 'https://a.example.com/path' },
    { SIGIL_AUDIENCE: ' ' },
  ])('refuses %j', (env) => {
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
  });
});

describe('main.ts', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));

  it('starts on PORT, prints its URL and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--conditions=sigil-source', main], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    while (!/listening on (\S+)/.test(out)) await once(child.stdout, 'data');
    const url = /listening on (\S+)/.exec(out)![1];
    expect((await fetch(`${url}/api/public`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits 1 with one line on a bad setting', async () => {
    const child = spawn(process.execPath, ['--conditions=sigil-source', main], {
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(err.trim().split('\n')).toEqual(['demo api: PORT must be an integer between 0 and 65535, got "eighty"']);
  });
});

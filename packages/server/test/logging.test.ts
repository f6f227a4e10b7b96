import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, request, signup, startTestServer, type TestServer } from './helpers/auth-server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ logLevel: 'trace' });
});
afterAll(() => t?.close());

describe('logs never contain secrets', () => {
  it('passwords, tokens and hashes appear in no log line, even at trace level', async () => {
    const user = await signup(t.url);
    const login = await request(`${t.url}/auth/login`, { body: { email: user.email, password: PASSWORD } });
    await request(`${t.url}/auth/login`, { body: { email: user.email, password: 'a wrong password value' } });
    const refreshed = await request(`${t.url}/auth/refresh`, { body: { refresh_token: login.body.refresh_token } });
    await request(`${t.url}/auth/refresh`, { body: { refresh_token: 'x'.repeat(43) } });
    await request(`${t.url}/auth/me`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
    await request(`${t.url}/auth/password`, {
      body: { current_password: PASSWORD, new_password: 'another long passphrase' },
      headers: { authorization: `Bearer ${refreshed.body.access_token}` },
    });
    await request(`${t.url}/auth/login`, { rawBody: `{"password":"${PASSWORD}",`, headers: { 'content-type': 'application/json' } });

    const [hashRow] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.user.id]);
    const secrets = [
      PASSWORD,
      'a wrong password value',
      'another long passphrase',
      user.access_token,
      user.refresh_token,
      login.body.refresh_token,
      refreshed.body.refresh_token,
      refreshed.body.access_token.split('.')[2]!,
      hashRow!.password_hash,
    ];
    const all = t.rawLogs.join('\n');
    expect(t.rawLogs.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(all).not.toContain(secret);
  });

  it('the logger censors secret-named fields passed to it by mistake', async () => {
    const before = t.rawLogs.length;
    t.server.logger.info(
      { password: 'hunter2-hunter2', body: { refresh_token: 'rt-secret-value' }, headers: { authorization: 'Bearer abc.def.ghi' } },
      'oops',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = t.rawLogs.slice(before).join('\n');
    expect(line).toContain('oops');
    expect(line).not.toContain('hunter2-hunter2');
    expect(line).not.toContain('rt-secret-value');
    expect(line).not.toContain('abc.def.ghi');
  });
});

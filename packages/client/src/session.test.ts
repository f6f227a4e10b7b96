import { describe, expect, it } from 'vitest';
import { SigilClientError } from './errors.ts';
import { parseStoredSession, serializeSession, sessionFromTokenResponse, type Session } from './session.ts';

const issuer = 'https://auth.example.com';
const user = { id: 'u1', email: 'a@example.com', name: 'Ann', roles: ['admin'], emailVerified: true };
/** The same user as the auth server spells it. */
const { emailVerified: _, ...serverUser } = { ...user, email_verified: true };
const session: Session = { accessToken: 'at', refreshToken: 'rt', expiresAt: 2_000_000, receivedAt: 1_100_000, user };

describe('sessionFromTokenResponse', () => {
  const body = { access_token: 'at', token_type: 'Bearer', expires_in: 900, expires_at: 1, refresh_token: 'rt', user: serverUser };

  it('computes expiry from expires_in and the local receipt time, ignoring expires_at', () => {
    const s = sessionFromTokenResponse(body, 5_000, true);
    expect(s.expiresAt).toBe(5_000 + 900_000);
    expect(s.refreshToken).toBe('rt');
    expect(s.user).toEqual(user);
  });

  it('reads a user without email_verified (an older server) as unverified', () => {
    const { email_verified: _, ...older } = serverUser;
    expect(sessionFromTokenResponse({ ...body, user: older }, 0, true).user).toEqual({ ...user, emailVerified: false });
  });

  it('drops a refresh token in cookie mode', () => {
    expect(sessionFromTokenResponse({ ...body, refresh_token: undefined }, 0, false).refreshToken).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['no access token', { ...body, access_token: undefined }],
    ['no refresh token in body mode', { ...body, refresh_token: undefined }],
    ['zero lifetime', { ...body, expires_in: 0 }],
    ['string lifetime', { ...body, expires_in: '900' }],
    ['no user', { ...body, user: undefined }],
    ['user roles not strings', { ...body, user: { ...serverUser, roles: [1] } }],
    ['email_verified not a boolean', { ...body, user: { ...serverUser, email_verified: 'yes' } }],
  ])('rejects %s with invalid_response', (_name, value) => {
    expect(() => sessionFromTokenResponse(value, 0, true)).toThrow(expect.objectContaining({ code: 'invalid_response' }));
    expect(() => sessionFromTokenResponse(value, 0, true)).toThrow(SigilClientError);
  });
});

describe('parseStoredSession', () => {
  const stored = serializeSession(session, issuer);

  it('round-trips a valid session', () => {
    expect(parseStoredSession(stored, issuer, 1_500_000)).toEqual(session);
  });

  it('reads a session stored before emailVerified existed as unverified', () => {
    const { emailVerified: _, ...older } = user;
    const raw = JSON.stringify({ ...JSON.parse(stored), user: older });
    expect(parseStoredSession(raw, issuer, 1_500_000)?.user).toEqual({ ...user, emailVerified: false });
  });

  it('keeps an expired access token when a refresh token can renew it', () => {
    expect(parseStoredSession(stored, issuer, 3_000_000)).toEqual(session);
  });

  it.each([
    ['nothing', null],
    ['not JSON', '{"v":1,'],
    ['JSON null', 'null'],
    ['an array', '[]'],
    ['a number', '42'],
    ['another format version', JSON.stringify({ ...JSON.parse(stored), v: 2 })],
    ['another issuer', serializeSession(session, 'https://evil.example.com')],
    ['a string expiry', JSON.stringify({ ...JSON.parse(stored), expiresAt: 'soon' })],
    ['expiry before receipt', JSON.stringify({ ...JSON.parse(stored), expiresAt: 1 })],
    ['a missing user', JSON.stringify({ ...JSON.parse(stored), user: undefined })],
    ['an empty refresh token', JSON.stringify({ ...JSON.parse(stored), refreshToken: '' })],
    ['an object access token', JSON.stringify({ ...JSON.parse(stored), accessToken: {} })],
  ])('treats %s as logged out', (_name, raw) => {
    expect(parseStoredSession(raw, issuer, 1_500_000)).toBeUndefined();
  });

  it('treats an expired access token without refresh token as stale', () => {
    const raw = serializeSession({ ...session, refreshToken: undefined }, issuer);
    expect(parseStoredSession(raw, issuer, 1_500_000)).toBeDefined();
    expect(parseStoredSession(raw, issuer, 2_000_000)).toBeUndefined();
  });
});

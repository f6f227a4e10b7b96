/**
 * Where the demo stack of the e2e suite runs. The ports are the demo's own: the built web app
 * talks to http://localhost:4000 and :3000 (apps/web/src/app/settings.ts), so they cannot move.
 */
export const WEB = 'http://localhost:4200';
export const AUTH = 'http://localhost:4000';
export const API = 'http://localhost:3000';
export const PORTS = [4000, 3000, 4200] as const;

/**
 * Access-token lifetime of the e2e stack, in seconds: short, so every test that waits a few
 * seconds crosses an expiry and the refresh path runs for real.
 */
export const ACCESS_TTL_SECONDS = 5;

export const DEMO = { email: 'demo@sigil.dev', password: 'sigil-demo-password', name: 'Demo User' } as const;
export const ADMIN = { email: 'admin@sigil.dev', password: 'sigil-admin-password', name: 'Demo Admin' } as const;

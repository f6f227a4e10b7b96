import type { SigilClientError } from './errors.ts';
import { invalidArgument } from './invalid-argument.ts';
import type { SigilUser } from './session.ts';

/**
 * Why the auth state changed.
 * - `login`, `signup`: this client signed in; `restore`: a cookie-mode client found its session;
 * - `refresh`: new tokens for the same user;
 * - `logout`: `logout()` was called; `session_expired`: the server refused the refresh token
 *   (revoked, expired, reused), so the client logged out by itself;
 * - `sync`: another tab (or client sharing the storage) logged in, refreshed or logged out.
 */
export type AuthEventReason = 'login' | 'signup' | 'restore' | 'refresh' | 'logout' | 'session_expired' | 'sync';

/** One state change. `type` says where the state went; `reason` says why. */
export interface AuthEvent {
  readonly type: 'login' | 'refresh' | 'logout';
  readonly reason: AuthEventReason;
  /** The state after the change. */
  readonly user: SigilUser | null;
  readonly expiresAt: number | null;
  /** For `session_expired`: the server's refusal. */
  readonly error?: SigilClientError;
}

export type AuthListener = (event: AuthEvent) => void;

/** The client's listeners: `subscribe` adds one, `emit` calls them all, `clear` drops them all. */
export interface Emitter {
  subscribe(listener: AuthListener): () => void;
  emit(event: AuthEvent): void;
  clear(): void;
}

/** A listener set whose members cannot break each other or the client by throwing. */
export function createEmitter(): Emitter {
  const listeners = new Set<AuthListener>();
  return {
    subscribe(listener) {
      if (typeof listener !== 'function') invalidArgument('subscribe listener', 'a function');
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry: AuthListener = (event) => listener(event);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          (globalThis as { reportError?: (e: unknown) => void }).reportError?.(error);
        }
      }
    },
    clear: () => listeners.clear(),
  };
}

import { attempt } from './attempt.ts';

/**
 * Messages tabs exchange. `data` is a serialized session, validated by the receiver exactly like
 * stored data; it travels only between same-origin tabs of one browser.
 */
export type SyncMessage = { readonly type: 'session'; readonly data: string } | { readonly type: 'logout' };

export interface SyncChannel {
  post(message: SyncMessage): void;
  close(): void;
}

/**
 * A BroadcastChannel when the environment has one, else a no-op: tabs then sync only through
 * `storage` events (localStorage) or not at all (memory).
 */
export function openSyncChannel(name: string, onMessage: (message: SyncMessage) => void): SyncChannel {
  // Throws where there is no BroadcastChannel (SSR, old runtimes) or it is disabled.
  const channel = attempt(() => new (globalThis as { BroadcastChannel: typeof BroadcastChannel }).BroadcastChannel(name));
  if (!channel) return { post() {}, close() {} };
  channel.onmessage = (event: MessageEvent) => {
    const message = parseMessage(event.data);
    if (message) onMessage(message);
  };
  // Node keeps the process alive while a channel is open; a browser has no `unref`.
  (channel as { unref?: () => void }).unref?.();
  return {
    // Closed (after `destroy`) or broken: it only costs us cross-tab sync.
    post: (message) => void attempt(() => channel.postMessage(message)),
    close: () => channel.close(),
  };
}

// Anything on the channel could come from another version of this library or another script:
// accept only the shapes we send. Receivers read nothing but `type` and `data`.
function parseMessage(data: unknown): SyncMessage | undefined {
  const m = data as Partial<Record<string, unknown>> | null | undefined;
  return m?.['type'] === 'logout' || (m?.['type'] === 'session' && typeof m['data'] === 'string') ? (m as SyncMessage) : undefined;
}

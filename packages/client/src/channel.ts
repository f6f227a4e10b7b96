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
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (typeof Channel !== 'function') return { post() {}, close() {} };
  let channel: BroadcastChannel;
  try {
    channel = new Channel(name);
  } catch {
    return { post() {}, close() {} };
  }
  channel.onmessage = (event: MessageEvent) => {
    const message = parseMessage(event.data);
    if (message) onMessage(message);
  };
  // Node keeps the process alive while a channel is open; a browser has no `unref`.
  (channel as { unref?: () => void }).unref?.();
  let closed = false;
  return {
    post(message) {
      if (closed) return;
      try {
        channel.postMessage(message);
      } catch {
        // A closed or broken channel only costs us cross-tab sync.
      }
    },
    close() {
      closed = true;
      channel.close();
    },
  };
}

// Anything on the channel could come from another version of this library or another script:
// accept only the shapes we send.
function parseMessage(data: unknown): SyncMessage | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const m = data as Record<string, unknown>;
  if (m['type'] === 'logout') return { type: 'logout' };
  if (m['type'] === 'session' && typeof m['data'] === 'string') return { type: 'session', data: m['data'] };
  return undefined;
}

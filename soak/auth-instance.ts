/**
 * One auth server instance for the soak, in its own process (forked with an IPC channel by
 * `lib/cluster.ts`). Configured from the environment like `sigil serve`; the IPC channel is the
 * small admin hook the key-rotation phase uses: `rotate`, `revoke`, `reload`, `list` on this
 * instance's KeyManager. It prints nothing on success; `kill -9` is how the soak stops it.
 */
import { createAuthServer, loadConfigFromEnv } from '@sigil/server';

interface Command {
  id: number;
  cmd: 'rotate' | 'revoke' | 'reload' | 'list';
  immediate?: boolean;
  kid?: string;
}

const config = loadConfigFromEnv(process.env);
const server = await createAuthServer(config);
const { url } = await server.listen(config.port, config.host);

const info = (k: { kid: string; state: string; activatesAt: Date; retiredAt: Date | null; revokedAt: Date | null }) => ({
  kid: k.kid,
  state: k.state,
  activatesAt: k.activatesAt.getTime(),
  retiredAt: k.retiredAt?.getTime() ?? null,
  revokedAt: k.revokedAt?.getTime() ?? null,
});

process.on('message', (message: Command) => {
  const run = async (): Promise<unknown> => {
    switch (message.cmd) {
      case 'rotate':
        return info(await server.keys.rotate({ immediate: message.immediate === true }));
      case 'revoke':
        return server.keys.revoke(message.kid ?? '');
      case 'reload':
        await server.keys.reload();
        return true;
      case 'list':
        return (await server.keys.list()).map(info);
    }
  };
  run().then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});

// The parent going away (even by kill -9) must not leave this process behind.
process.on('disconnect', () => {
  void server.close(1_000).finally(() => process.exit(0));
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.close(2_000).finally(() => process.exit(0)));

process.send?.({ ready: true, url });

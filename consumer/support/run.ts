/**
 * What global-setup.ts prepares once for every test file of a run, handed over through Vitest's
 * `provide` / `inject`: the run's folder under the OS temp dir, the copies of the tarballs there,
 * the Node runtimes, and the auth server started from its tarball.
 *
 * @example
 * const run = inject('consumer');
 */
import type { Runtime } from './commands.ts';
import type { PackageName } from './tarballs.ts';

export interface Credentials {
  email: string;
  password: string;
}

export interface ConsumerRun {
  /** The run's folder (os.tmpdir()/sigil-consumer-*): every app lives below it. */
  dir: string;
  /** The copies of dist-packages/*.tgz inside `dir`, by package. */
  tarballs: Record<PackageName, string>;
  runtimes: Record<'20' | '22' | '24', Runtime>;
  server: {
    /** The folder `npx sigil serve` runs in. */
    dir: string;
    issuer: string;
    /** What the first `sigil serve` in the empty folder printed. */
    firstStart: string;
    admin: Credentials;
    member: Credentials;
  };
  /** The Angular app's port: the auth server allows this origin (SIGIL_ALLOWED_ORIGINS). */
  webPort: number;
  /** The OAuth relying party (oidc-rp.test.ts): its port, and its public client, registered with its origin as redirect URI. */
  rp: { port: number; clientId: string; clientName: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: ConsumerRun;
  }
}

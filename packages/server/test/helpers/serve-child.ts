// A real auth server in its own process, for crash tests: configured from the environment,
// it prints one JSON line {"url": ...} once it listens. The test kills it with SIGKILL.
import { createAuthServer, loadConfigFromEnv } from '../../src/index.ts';

const config = loadConfigFromEnv(process.env, { port: 0, logLevel: 'silent' });
const server = await createAuthServer({ ...config, issuer: config.issuer });
const { url } = await server.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url })}\n`);

export { createAuthServer, type AuthServer, type AuthServerOptions, type NewUserInput } from './server.ts';
export {
  parseConfig,
  loadConfigFromEnv,
  ConfigError,
  type Config,
  type ConfigInput,
  type SigningAlgorithm,
  type CookieMode,
} from './config.ts';
export { SigilError, StorageUnavailableError, ERROR_CODES, type ErrorCode, type ProblemDetails } from './errors.ts';
export type { KeyManager, KeyInfo } from './keys/index.ts';
export type { AuthService, PublicUser, RequestMeta, TokenBundle, UserAccount } from './sessions/auth-service.ts';
export type { UserImportOptions, UserImportProblem, UserImportReport, UserImportSource } from './sessions/import.ts';
export type { AccessTokenClaims } from './tokens/access-token.ts';

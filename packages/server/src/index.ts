export { createAuthServer, type AuthServer, type AuthServerOptions, type NewUserInput, type ServerMail } from './server.ts';
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
export { enqueueMail, type MailData, type MailTemplate, type OutboxMail } from './mail/outbox.ts';
export type { MailResolver, MailResolvers } from './mail/resolvers.ts';
export type { MailMessage, MailTransport } from './mail/transport.ts';
export type { MailEntry, MailService } from './mail/mail-service.ts';
export type { MailDeliveryMode } from './mail/delivery.ts';
export type { MailRunSummary, MailWorker } from './mail/worker.ts';
export type { ClientRegistry, CreatedClient, NewClientInput, OAuthClient } from './oauth/clients.ts';

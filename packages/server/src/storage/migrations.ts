import type { Database } from './database.ts';

/**
 * Versioned schema migrations, applied in order at startup under an advisory lock so several
 * instances starting together migrate once. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE sigil_meta (
        key text PRIMARY KEY,
        value text NOT NULL
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        email_normalized text NOT NULL UNIQUE,
        name text,
        roles text[] NOT NULL DEFAULT '{}',
        password_hash text NOT NULL,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text,
        user_agent text
      );
      CREATE INDEX sessions_user_id ON sessions (user_id);
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        public_jwk jsonb,
        private_key text NOT NULL,
        encrypted boolean NOT NULL,
        created_at timestamptz NOT NULL,
        activates_at timestamptz NOT NULL,
        retired_at timestamptz,
        revoked_at timestamptz
      );
    `,
  },
  {
    version: 2,
    name: 'mail outbox',
    // Written in the same transaction as the token a mail carries (docs/architecture.md, "Mail").
    sql: `
      CREATE TABLE mail_outbox (
        id uuid PRIMARY KEY,
        template text NOT NULL,
        recipient text NOT NULL,
        data jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_error text,
        message_id text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz
      );
      CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';
    `,
  },
  {
    version: 3,
    name: 'account lifecycle',
    sql: `
      ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
      CREATE TABLE account_tokens (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'email_change')),
        email text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX account_tokens_user_id ON account_tokens (user_id);
      CREATE INDEX account_tokens_expires_at ON account_tokens (expires_at);
    `,
  },
  {
    version: 4,
    name: 'mail outbox resolution',
    // When a resolver last filled a mail's data: it runs once before the first send, not per attempt.
    sql: `
      ALTER TABLE mail_outbox ADD COLUMN resolved_at timestamptz;
      CREATE INDEX mail_outbox_created_at ON mail_outbox (created_at)
    `,
  },
  {
    version: 5,
    name: 'second factors',
    // docs/architecture.md, "Second factors": TOTP secrets are encrypted like signing keys; a code's
    // time step is kept so it is accepted once; recovery codes and mfa tokens are stored hashed.
    // Sessions remember how they were authenticated (amr) and when (auth_time): a refresh keeps both.
    sql: `
      CREATE TABLE totp_factors (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        secret text NOT NULL,
        encrypted boolean NOT NULL,
        confirmed_at timestamptz,
        last_used_step bigint,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE recovery_codes (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        used_at timestamptz,
        PRIMARY KEY (user_id, code_hash)
      );
      CREATE TABLE mfa_challenges (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        first_factor_amr text[] NOT NULL,
        binding_hash text NOT NULL,
        failures integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX mfa_challenges_user_id ON mfa_challenges (user_id);
      CREATE INDEX mfa_challenges_expires_at ON mfa_challenges (expires_at);
      ALTER TABLE sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}';
      ALTER TABLE sessions ALTER COLUMN amr DROP DEFAULT;
      ALTER TABLE sessions ADD COLUMN auth_time timestamptz;
      UPDATE sessions SET auth_time = created_at;
      ALTER TABLE sessions ALTER COLUMN auth_time SET NOT NULL
    `,
  },
  {
    version: 6,
    name: 'passkeys',
    // docs/architecture.md, "Passkeys": a credential's public key (COSE, base64url) and signature
    // counter; challenges live server-side so any instance can finish a ceremony another began, and
    // each is deleted by the one request that uses it. A challenge is public by design (the browser
    // gets it), so it is stored as it is: it is worthless without a registered key's signature.
    sql: `
      CREATE TABLE passkeys (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        credential_id text NOT NULL UNIQUE,
        public_key text NOT NULL,
        counter bigint NOT NULL CHECK (counter >= 0),
        transports text[] NOT NULL DEFAULT '{}',
        device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
        backed_up boolean NOT NULL,
        aaguid text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz
      );
      CREATE INDEX passkeys_user_id ON passkeys (user_id);
      CREATE TABLE webauthn_challenges (
        challenge text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('registration', 'login', 'second_factor')),
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);
    `,
  },
  {
    version: 7,
    name: 'oauth',
    // docs/oauth.md: registered clients (a confidential client's secret only as SHA-256: it has 256
    // random bits; `scopes` are the API scopes its machine-to-machine tokens may carry), authorization codes (only as SHA-256, single use, bound to the session the
    // hosted login started, which a replayed code revokes), and the consents users gave
    // third-party clients. A session started through OAuth names its client, the scopes granted
    // and the API audience (RFC 8707), so its refreshes keep them and only that client refreshes it.
    sql: `
      CREATE TABLE oauth_clients (
        client_id text PRIMARY KEY,
        name text NOT NULL,
        secret_hash text,
        redirect_uris text[] NOT NULL,
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        resources text[] NOT NULL DEFAULT '{}',
        scopes text[] NOT NULL DEFAULT '{}',
        first_party boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE oauth_codes (
        code_hash text PRIMARY KEY,
        client_id text NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        redirect_uri text NOT NULL,
        code_challenge text NOT NULL,
        scope text NOT NULL,
        nonce text,
        resource text NOT NULL,
        consent_hash text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX oauth_codes_expires_at ON oauth_codes (expires_at);
      CREATE UNIQUE INDEX oauth_codes_consent_hash ON oauth_codes (consent_hash);
      CREATE TABLE oauth_consents (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id text NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
        scope text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, client_id)
      );
      ALTER TABLE sessions ADD COLUMN client_id text REFERENCES oauth_clients(client_id) ON DELETE CASCADE;
      ALTER TABLE sessions ADD COLUMN scope text;
      ALTER TABLE sessions ADD COLUMN resource text
    `,
  },
];

/** Applies pending migrations; returns the versions it applied. */
export async function migrate(db: Database): Promise<number[]> {
  return db.withLock('migrate', async (tx) => {
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => Number(row.version)));
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    return done;
  });
}

// Extended-protocol queries take one statement each; our migrations contain no semicolons in literals.
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((statement) => statement.trim())
    .filter(Boolean);
}

/** Migrates a database just opened; on failure closes it (no pool or lock left behind) and rethrows. */
export async function migrateOrClose(db: Database): Promise<Database> {
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

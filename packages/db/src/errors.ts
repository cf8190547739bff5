/** Stable codes the CLI, UI and chat can match on; the message says what to do. */
export type DbErrorCode =
  | 'DB_UNREACHABLE'
  | MigrationErrorCode
  | 'DB_GENERATE_FAILED'
  | 'DB_INVALID_INPUT'
  | 'DB_NO_OWNER';

export class DbError extends Error {
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** PostgreSQL could not be reached or refused the connection. */
export class DatabaseUnreachableError extends DbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DB_UNREACHABLE', message, options);
  }
}

export type MigrationErrorCode =
  | 'DB_MIGRATIONS_NOT_FOUND'
  | 'DB_MIGRATION_LOCKED'
  | 'DB_MIGRATION_FAILED'
  | 'DB_MIGRATION_NAME_INVALID'
  | 'DB_SNAPSHOT_MISSING';

/** Reading, writing or applying migrations failed. */
export class MigrationError extends DbError {
  declare readonly code: MigrationErrorCode;

  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** `prisma generate` failed. */
export class ClientGenerationError extends DbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DB_GENERATE_FAILED', message, options);
  }
}

/** An argument (e-mail, password, stored hash) is not usable. */
export class InvalidInputError extends DbError {
  constructor(message: string) {
    super('DB_INVALID_INPUT', message);
  }
}

/** Users exist but none of them is an owner. */
export class NoOwnerError extends DbError {
  constructor(message: string) {
    super('DB_NO_OWNER', message);
  }
}

/** The database's own words, without the engine's Rust span trace. */
export function describeCause(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const traceStart = text.search(/\n\s+0: /);
  return (traceStart === -1 ? text : text.slice(0, traceStart)).trim();
}

/** host:port/database of a connection URL, never its password. */
export function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'an unparsable DATABASE_URL';
  }
}

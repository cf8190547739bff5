// @pincer/db: the Prisma client over node-postgres, migrations applied through the wasm schema
// engine, and the repositories built on them. This file is the package's whole public surface
// (client generation, which must run before the client exists, is `@pincer/db/generate`).

export { createDb } from './client.ts';
export {
  ClientGenerationError,
  DatabaseUnreachableError,
  DbError,
  type DbErrorCode,
  InvalidInputError,
  MigrationError,
  type MigrationErrorCode,
  NoOwnerError,
} from './errors.ts';
export type {
  ApiToken,
  AuditEvent,
  Conversation,
  Credential,
  Message,
  Run,
  Schedule,
  StepRun,
  Trigger,
  User,
  Workflow,
  WorkflowVersion,
} from './generated/prisma/client.ts';
export {
  MessageDirection,
  OverlapPolicy,
  Prisma,
  PrismaClient,
  Role,
  RunStatus,
  StepStatus,
  TriggerKind,
} from './generated/prisma/client.ts';
export { type MigrateOptions, migrateDatabase } from './migrations.ts';
export { hashPassword, verifyPassword } from './password.ts';
export { type EnsureOwnerInput, type EnsureOwnerResult, ensureOwner, normalizeEmail } from './users.ts';

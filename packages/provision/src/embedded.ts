import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PincerConfig } from '@pincer/config';
import { describeDatabaseUrl, probeDatabase, probeTemporal } from './health.ts';
import { modelStep, needsLocalModel } from './model.ts';
import { embeddedPostgresStep, type RunningService, startEmbeddedPostgres } from './postgres.ts';
import { ProvisionError, type ProvisionStep } from './steps.ts';
import { findTemporalCli, startTemporalDevServer, temporalCliStep } from './temporal.ts';

/** Where the embedded default keeps each piece of state under dataDir. */
export function layout(config: PincerConfig) {
  return {
    postgres: path.join(config.dataDir, 'postgres'),
    temporalDb: path.join(config.dataDir, 'temporal', 'temporal.db'),
    temporalPid: path.join(config.dataDir, 'run', 'temporal.pid'),
    secretKey: path.join(config.dataDir, 'secret.key'),
    initialAdmin: path.join(config.dataDir, 'initial-admin.txt'),
  };
}

function secretKeyStep(config: PincerConfig): ProvisionStep {
  const file = layout(config).secretKey;
  return {
    id: 'secret-key',
    title: 'Encryption key',
    async check() {
      if (config.secrets.key) return { state: 'external', detail: 'from PINCER_SECRET_KEY' };
      if (existsSync(file)) return { state: 'ready', detail: file };
      return { state: 'missing', detail: 'no key yet', fix: 'run `npm start` to generate one' };
    },
    async ensure(progress) {
      progress('generating a 256-bit key for credentials at rest');
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      return { state: 'ready', detail: file };
    },
  };
}

function externalDatabaseStep(url: string): ProvisionStep {
  const check = async () => {
    const probe = await probeDatabase(url, 5000);
    if (probe.status === 'up') return { state: 'external' as const, detail: probe.detail };
    throw new ProvisionError(
      'database_unreachable',
      'database',
      `DATABASE_URL (${describeDatabaseUrl(url)}) is unreachable: ${probe.detail.split(': ').slice(1).join(': ')}.`,
      probe.fix,
    );
  };
  return { id: 'database', title: 'PostgreSQL (DATABASE_URL)', check, ensure: check };
}

function externalTemporalStep(address: string, namespace: string): ProvisionStep {
  const check = async () => {
    const probe = await probeTemporal(address, namespace, 5000);
    if (probe.status === 'up') return { state: 'external' as const, detail: probe.detail };
    throw new ProvisionError(
      'temporal_unreachable',
      'temporal',
      `TEMPORAL_ADDRESS: ${probe.detail}.`,
      probe.fix,
    );
  };
  return { id: 'temporal', title: 'Temporal (TEMPORAL_ADDRESS)', check, ensure: check };
}

/** Everything `npm start` makes sure of before starting services, in order. */
export function provisioningSteps(config: PincerConfig): ProvisionStep[] {
  const paths = layout(config);
  return [
    secretKeyStep(config),
    config.database.url
      ? externalDatabaseStep(config.database.url)
      : embeddedPostgresStep({ dir: paths.postgres, port: config.database.embedded.port }),
    config.temporal.address
      ? externalTemporalStep(config.temporal.address, config.temporal.namespace)
      : temporalCliStep({ cacheDir: config.cacheDir, version: config.temporal.embedded.version }),
    ...(needsLocalModel(config) ? [modelStep(config)] : []),
  ];
}

export interface EmbeddedServices {
  /** What Pincer's processes connect with (the embedded database's least-privileged app role). */
  databaseUrl: string;
  /** What migrations run with: the schema's owner (DATABASE_URL itself for an external database). */
  migrationUrl: string;
  temporalAddress: string;
  /** The services this call started, in start order; stop them in reverse. */
  services: RunningService[];
  /**
   * Starts a service of `services` again on the same port and state (after a crash): the other
   * processes reconnect to the same address.
   */
  restart(name: string): Promise<RunningService>;
}

/**
 * Starts the embedded PostgreSQL and Temporal dev server where the config does not point at
 * external ones. Run `provisioningSteps` first.
 */
export async function startEmbeddedServices(
  config: PincerConfig,
  onLog: (service: string, line: string) => void,
): Promise<EmbeddedServices> {
  const paths = layout(config);
  const services: RunningService[] = [];
  const starters = new Map<string, () => Promise<RunningService>>();
  try {
    let databaseUrl = config.database.url;
    let migrationUrl = databaseUrl;
    if (!databaseUrl) {
      const startPostgres = () =>
        startEmbeddedPostgres({
          dir: paths.postgres,
          port: config.database.embedded.port,
          onLog: (line) => onLog('postgres', line),
        });
      const postgres = await startPostgres();
      starters.set(postgres.name, startPostgres);
      services.push(postgres);
      databaseUrl = postgres.appUrl;
      migrationUrl = postgres.url;
    }
    let temporalAddress = config.temporal.address;
    if (!temporalAddress) {
      const binary = findTemporalCli({
        cacheDir: config.cacheDir,
        version: config.temporal.embedded.version,
      });
      if (!binary) {
        throw new ProvisionError(
          'temporal_cli_missing',
          'temporal-cli',
          'The Temporal CLI is not provisioned.',
        );
      }
      const startTemporal = () =>
        startTemporalDevServer({
          binary,
          port: config.temporal.embedded.port,
          namespace: config.temporal.namespace,
          dbFile: paths.temporalDb,
          pidFile: paths.temporalPid,
          ...(config.temporal.embedded.uiPort ? { uiPort: config.temporal.embedded.uiPort } : {}),
          durability: config.temporal.embedded.durability,
          dynamicConfig: config.temporal.embedded.dynamicConfig,
          onLog: (line) => onLog('temporal', line),
        });
      const temporal = await startTemporal();
      starters.set(temporal.name, startTemporal);
      services.push(temporal);
      temporalAddress = temporal.address;
    }
    const restart = async (name: string) => {
      const starter = starters.get(name);
      if (!starter) throw new Error(`no embedded service named ${name}`);
      return starter();
    };
    return { databaseUrl, migrationUrl: migrationUrl ?? databaseUrl, temporalAddress, services, restart };
  } catch (error) {
    for (const service of services.reverse()) await service.stop();
    throw error;
  }
}

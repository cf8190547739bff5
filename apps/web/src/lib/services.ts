import { existsSync } from 'node:fs';
import path from 'node:path';
import { createArtifactStore, type SharedArtifactStore } from '@pincer/artifacts';
import { createDb, type PrismaClient } from '@pincer/db';
import { createRegistry, loadPlugins, type NodeRegistry } from '@pincer/nodes';
import { embeddedDatabaseUrl, loadSecretKey } from '@pincer/provision';
import { createLogger, type Logger } from '@pincer/runtime';
import { Client, Connection } from '@temporalio/client';
import { getConfig } from './config.ts';

interface Cached {
  db?: Promise<PrismaClient>;
  temporal?: Promise<Client>;
  registry?: Promise<NodeRegistry>;
  secretKey?: Promise<Buffer>;
  log?: Logger;
}

// On globalThis for the same reason as the config (see config.ts): one of each per process, not
// one per route bundle.
const CACHE_KEY = Symbol.for('pincer.web.services');
const store = globalThis as typeof globalThis & { [CACHE_KEY]?: Cached };
const cached = (): Cached => {
  store[CACHE_KEY] ??= {};
  return store[CACHE_KEY];
};

/** Memoizes a promise, forgetting it when it fails so the next request tries again. */
function once<K extends 'db' | 'temporal' | 'registry' | 'secretKey'>(
  key: K,
  create: () => NonNullable<Cached[K]>,
): NonNullable<Cached[K]> {
  const entries = cached();
  const existing = entries[key];
  if (existing) return existing;
  const created = create();
  entries[key] = created;
  created.catch(() => {
    if (entries[key] === created) delete entries[key];
  });
  return created;
}

/** The credentials key, read once (PINCER_SECRET_KEY or dataDir/secret.key). */
export function getSecretKey(): Promise<Buffer> {
  return once('secretKey', () => loadSecretKey(getConfig()));
}

export function getLog(): Logger {
  const entries = cached();
  entries.log ??= createLogger('web', getConfig().logLevel);
  return entries.log;
}

export function getDb(): Promise<PrismaClient> {
  return once('db', async () => {
    const config = getConfig();
    return createDb(config.database.url ?? (await embeddedDatabaseUrl(config)));
  });
}

/** host:port of Temporal: TEMPORAL_ADDRESS, else the embedded dev server's. */
export function temporalAddress(): string {
  const config = getConfig();
  return config.temporal.address ?? `127.0.0.1:${config.temporal.embedded.port}`;
}

export function getTemporal(): Promise<Client> {
  return once('temporal', async () => {
    const connection = await Connection.connect({ address: temporalAddress() });
    return new Client({ connection, namespace: getConfig().temporal.namespace });
  });
}

/** The built-in node types plus the plugins in <checkout>/plugins, as the worker loads them. */
export function getRegistry(): Promise<NodeRegistry> {
  return once('registry', async () => {
    const plugins = await loadPlugins(path.join(checkoutRoot(), 'plugins'));
    for (const error of plugins.errors)
      getLog().error({ event: 'plugin_not_loaded', error }, 'plugin not loaded');
    return createRegistry(plugins.nodes);
  });
}

/**
 * The checkout the server runs from. Bundled route code has no reliable file location of its
 * own, so walk up from the working directory (the checkout, or apps/web under `next dev`).
 */
function checkoutRoot(): string {
  let dir = process.cwd();
  while (!existsSync(path.join(dir, 'turbo.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** The store the workers write step files to (the same directory or bucket, see artifacts). */
export async function getArtifacts(): Promise<SharedArtifactStore> {
  return createArtifactStore({ db: await getDb(), ...getConfig().artifacts });
}

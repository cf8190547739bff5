import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PINCER_VERSION, type PincerConfig, WORKER_CAPABILITIES } from '@pincer/config';
import {
  chromiumStep,
  consoleReporter,
  describe,
  isPortOpen,
  makeStatePrivate,
  PRIVATE_UMASK,
  ProvisionError,
  provision,
  provisioningSteps,
  type RunningService,
  startEmbeddedServices,
} from '@pincer/provision';
import { prepareDatabase } from '../database.ts';
import { bold, prefixed, renderLogLine, say } from '../output.ts';
import { repoRoot } from '../paths.ts';
import { type ProcessSpec, Supervisor, type SupervisorEvent } from '../supervisor.ts';
import { provisionSandbox } from './sandbox.ts';

const log = (line: string) => say(prefixed('pincer', line));

/**
 * dataDir/run/supervisor.json: the live process table (supervisor, services, children), rewritten
 * on every change, for operators and tests.
 */
async function writeProcessTable(config: PincerConfig, services: RunningService[], supervisor: Supervisor) {
  const file = path.join(config.dataDir, 'run', 'supervisor.json');
  const table = {
    supervisor: process.pid,
    services: Object.fromEntries(services.map((service) => [service.name, service.pid])),
    processes: supervisor.pids(),
    updatedAt: new Date().toISOString(),
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(table, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** Ports the embedded default will bind, with the key that moves each one. */
function portsToBind(config: PincerConfig): { port: number; what: string; fix: string }[] {
  const ports = [
    { port: config.server.port, what: 'studio (server.port)', fix: 'PINCER_PORT' },
    {
      port: config.worker.healthPort,
      what: 'worker health (worker.healthPort)',
      fix: 'PINCER_WORKER_HEALTH_PORT',
    },
    {
      port: config.gateway.healthPort,
      what: 'gateway health (gateway.healthPort)',
      fix: 'PINCER_GATEWAY_HEALTH_PORT',
    },
  ];
  if (config.llmWorker.separate) {
    ports.push({
      port: config.llmWorker.healthPort,
      what: 'llm worker health (llmWorker.healthPort)',
      fix: 'PINCER_LLM_WORKER_HEALTH_PORT',
    });
  }
  if (!config.database.url) {
    ports.push({
      port: config.database.embedded.port,
      what: 'embedded PostgreSQL (database.embedded.port)',
      fix: 'PINCER_POSTGRES_PORT',
    });
  }
  if (!config.temporal.address) {
    ports.push({
      port: config.temporal.embedded.port,
      what: 'embedded Temporal (temporal.embedded.port)',
      fix: 'PINCER_TEMPORAL_PORT',
    });
  }
  return ports;
}

async function assertPortsFree(config: PincerConfig): Promise<void> {
  for (const { port, what, fix } of portsToBind(config)) {
    if (await isPortOpen('127.0.0.1', port)) {
      throw new ProvisionError(
        'port_in_use',
        'ports',
        `Port ${port} for the ${what} is already in use (is Pincer already running?).`,
        `stop what uses it, or set ${fix} to a free port.`,
      );
    }
  }
}

function processSpecs(config: PincerConfig, env: NodeJS.ProcessEnv): ProcessSpec[] {
  const tsx = ['--import', 'tsx'];
  const entry = (app: string) => path.join(repoRoot, 'apps', app, 'src', 'main.ts');
  return [
    {
      name: 'web',
      command: process.execPath,
      args: [...tsx, path.join(repoRoot, 'apps', 'web', 'src', 'server.ts')],
      cwd: repoRoot,
      env,
      healthUrl: `http://127.0.0.1:${config.server.port}/api/health`,
    },
    ...workerSpecs(config, env, [...tsx, entry('temporal-worker')]),
    {
      name: 'gateway',
      command: process.execPath,
      args: [...tsx, entry('gateway')],
      cwd: repoRoot,
      env,
      healthUrl: config.gateway.healthUrl,
    },
  ];
}

/**
 * The worker, and the model in a worker process of its own (llmWorker.separate, the default), so a
 * native crash in the model leaves the core, sandbox, browser and messaging queues served; the
 * supervisor restarts each alone.
 */
function workerSpecs(config: PincerConfig, env: NodeJS.ProcessEnv, args: string[]): ProcessSpec[] {
  const capabilities = config.worker.capabilities ?? WORKER_CAPABILITIES;
  const worker = {
    name: 'worker',
    command: process.execPath,
    args,
    cwd: repoRoot,
    env,
    healthUrl: config.worker.healthUrl,
  };
  if (!config.llmWorker.separate || !capabilities.includes('llm') || capabilities.length === 1)
    return [worker];
  const others = capabilities.filter((capability) => capability !== 'llm');
  return [
    { ...worker, env: { ...env, PINCER_WORKER_CAPABILITIES: others.join(',') } },
    {
      ...worker,
      name: 'llm',
      env: {
        ...env,
        PINCER_WORKER_CAPABILITIES: 'llm',
        PINCER_WORKER_HEALTH_HOST: config.llmWorker.healthHost,
        PINCER_WORKER_HEALTH_PORT: String(config.llmWorker.healthPort),
        PINCER_WORKER_HEALTH_URL: config.llmWorker.healthUrl,
      },
      healthUrl: config.llmWorker.healthUrl,
    },
  ];
}

/** What every child process sees: the resolved addresses of the services, never the owner password. */
function childEnv(config: PincerConfig, databaseUrl: string, temporalAddress: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    PINCER_DATA_DIR: config.dataDir,
    PINCER_CACHE_DIR: config.cacheDir,
  };
  if (config.configFile) env.PINCER_CONFIG = config.configFile;
  delete env.PINCER_ADMIN_PASSWORD;
  return env;
}

function printEvent(event: SupervisorEvent): void {
  if (event.kind === 'output') say(prefixed(event.name, renderLogLine(event.line)));
  else if (event.kind === 'spawned' && event.restarts > 0) log(`${event.name} restarted (pid ${event.pid})`);
  else if (event.kind === 'exited') {
    const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
    log(
      `${event.name} exited unexpectedly (${how}); restarting in ${(event.restartInMs / 1000).toFixed(0)}s`,
    );
  }
}

/** `pincer start`: provision, start services, migrate, then supervise web, worker and gateway until stopped. */
export async function start(config: PincerConfig): Promise<number> {
  const startedAt = Date.now();
  say(`${bold(`Pincer ${PINCER_VERSION}`)} — state in ${config.dataDir}`);
  await assertPortsFree(config);
  await makeStatePrivate(config);
  say('Provisioning');
  await provision(provisioningSteps(config), consoleReporter());
  await provisionSandbox(config, log);
  if (config.worker.capabilities?.includes('browser') ?? true) {
    // Browser steps need Chromium (installed here when root). Without it Pincer still starts:
    // the line above says how to fix it, and so does every browser step until then.
    await provision(
      [chromiumStep({ executablePath: config.browser.executablePath })],
      consoleReporter(),
    ).catch((error: unknown) => {
      if (!(error instanceof ProvisionError)) throw error;
    });
  }

  // From here on, what Pincer and its children write is private to this user (the Temporal
  // database, artifacts, logs). Not earlier: tools provisioned above (a sandbox image's root
  // filesystem) must stay readable by the users they run as.
  process.umask(PRIVATE_UMASK);
  const embedded = await startEmbeddedServices(config, (name, line) =>
    say(prefixed(name, renderLogLine(line))),
  );
  // Table writes are chained so two events never interleave their write and rename.
  let tableWrites = Promise.resolve();
  const supervisor: Supervisor = new Supervisor((event) => {
    printEvent(event);
    if (event.kind === 'output') return;
    tableWrites = tableWrites
      .then(() => writeProcessTable(config, embedded.services, supervisor))
      .catch((error: unknown) => log(`could not write the process table: ${String(error)}`));
  });
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (services: RunningService[]) => {
    shuttingDown ??= (async () => {
      log('stopping…');
      await supervisor.stop();
      for (const service of [...services].reverse()) await service.stop();
      log('stopped');
    })();
    return shuttingDown;
  };

  const stopped = new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        log(`${signal} again: killing everything now`);
        supervisor.kill();
        for (const service of embedded.services) process.kill(-service.pid, 'SIGKILL');
        resolve(130);
        return;
      }
      void shutdown(embedded.services).then(() => resolve(0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  // A dead embedded PostgreSQL or Temporal is started again on the same port and state, with
  // backoff; meanwhile web, workers and gateway wait and reconnect (runs resume where they were).
  const healService = (service: RunningService): void => {
    void service.exited.then(async (code) => {
      for (let failures = 0; !shuttingDown; failures += 1) {
        const delay = Math.min(30_000, 1000 * 2 ** failures);
        log(`${service.name} exited unexpectedly (code ${code}); restarting it in ${delay / 1000}s`);
        await sleep(delay);
        if (shuttingDown) return;
        const replacement = await embedded.restart(service.name).catch((error: unknown) => {
          log(`${service.name} did not start again: ${describe(error)}`);
          return undefined;
        });
        if (!replacement) continue;
        if (shuttingDown) return replacement.stop();
        embedded.services[embedded.services.indexOf(service)] = replacement;
        log(`${service.name} restarted (pid ${replacement.pid})`);
        tableWrites = tableWrites
          .then(() => writeProcessTable(config, embedded.services, supervisor))
          .catch((error: unknown) => log(`could not write the process table: ${String(error)}`));
        return healService(replacement);
      }
    });
  };
  for (const service of embedded.services) healService(service);

  try {
    const signIn = await prepareDatabase(config, embedded.migrationUrl, log);
    for (const spec of processSpecs(
      config,
      childEnv(config, embedded.databaseUrl, embedded.temporalAddress),
    )) {
      supervisor.start(spec);
    }
    const healthy = await supervisor.waitUntilHealthy(120_000);
    if (healthy) {
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      say('');
      log(`${bold('✓ Pincer is ready')} in ${seconds}s: ${bold(config.server.publicUrl)}`);
      log(signIn);
      log(
        `API: ${config.server.publicUrl}/api/v1/openapi.json · Health: ${config.server.publicUrl}/api/health · Stop: Ctrl-C`,
      );
      log(
        'First workflow: npx pincer workflow import examples/workflows/hello.yaml && npx pincer run hello --wait',
      );
      say('');
    } else if (!shuttingDown) {
      log('✗ not every process became healthy within 120s; read the lines above. Still supervising.');
    }
  } catch (error) {
    await shutdown(embedded.services);
    throw error;
  }
  return stopped;
}

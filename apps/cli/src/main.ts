import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, PINCER_VERSION, type PincerConfig } from '@pincer/config';
import { TokenError } from '@pincer/engine';
import { ProvisionError } from '@pincer/provision';
import { SandboxError } from '@pincer/sandbox';
import { CliError } from './api-client.ts';
import { approve } from './commands/approve.ts';
import { artifacts } from './commands/artifacts.ts';
import { chat } from './commands/chat.ts';
import { credential } from './commands/credential.ts';
import { doctor } from './commands/doctor.ts';
import { hook } from './commands/hook.ts';
import { migrate } from './commands/migrate.ts';
import { run } from './commands/run.ts';
import { runs } from './commands/runs.ts';
import { sandbox } from './commands/sandbox.ts';
import { start } from './commands/start.ts';
import { token } from './commands/token.ts';
import { user } from './commands/user.ts';
import { workflow } from './commands/workflow.ts';

const COMMANDS = {
  start: { run: start, summary: 'provision what is missing, start every process, supervise until Ctrl-C' },
  migrate: {
    run: migrate,
    summary: 'apply database migrations to DATABASE_URL and create the owner account',
  },
  doctor: { run: doctor, summary: 'show what is provisioned and healthy, and how to fix what is not' },
  workflow: {
    run: workflow,
    summary: 'import FILE | export NAME [--version N] | list: workflow definitions',
  },
  run: {
    run,
    summary: 'NAME [--input JSON|@FILE|-] [--version N] [--wait]: start a run (--wait: print it when done)',
  },
  credential: { run: credential, summary: 'set NAME (value on stdin) | list | delete NAME' },
  runs: {
    run: runs,
    summary: 'list [--workflow W] [--status S] | show ID | cancel ID | rerun ID [--from STEP]',
  },
  hook: { run: hook, summary: 'rotate ID|URL: give a webhook a new secret (shown once; the old one stops)' },
  approve: {
    run: approve,
    summary: 'RUN STEP [--reject] [--comment TEXT]: answer a step waiting for approval',
  },
  sandbox: { run: sandbox, summary: 'build-image: (re)build the default image of shell and python steps' },
  chat: {
    run: chat,
    summary: 'pairings [--status S] | approve CODE | reject CODE: who may talk to the assistant',
  },
  artifacts: {
    run: artifacts,
    summary: 'migrate: copy the files of artifacts.dir to the S3 store artifacts.s3 names',
  },
  token: {
    run: token,
    summary: 'create [--name N] [--role R]: print a new API token of the owner (shown once)',
  },
  user: {
    run: user,
    summary: 'password EMAIL (on stdin) | disable EMAIL | enable EMAIL: studio accounts',
  },
} as const satisfies Record<
  string,
  { run: (config: PincerConfig, args: string[]) => Promise<number>; summary: string }
>;

type CommandName = keyof typeof COMMANDS;

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`);
  return [
    `pincer ${PINCER_VERSION}`,
    '',
    'Usage: pincer <command> [arguments]',
    '',
    'Commands:',
    ...lines,
    '',
    'Commands that talk to the running instance use PINCER_TOKEN when set, else a token of the owner',
    'that the CLI creates and keeps in <dataDir>/cli-token.',
  ].join('\n');
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Runs the CLI and returns its exit code; every expected failure is one line that says what to do. */
export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });
  const name = positionals[0];
  if (values.version && !name) {
    console.log(PINCER_VERSION);
    return 0;
  }
  if (!name || values.help || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (!isCommand(name)) {
    console.error(
      `pincer: unknown command "${name}" (known: ${Object.keys(COMMANDS).join(', ')}). Run \`pincer help\`.`,
    );
    return 2;
  }
  const args = argv.slice(argv.indexOf(name) + 1);
  try {
    return await COMMANDS[name].run(loadConfig(), args);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`pincer: ${error.message}`);
      for (const detail of error.details) console.error(`  ${detail}`);
      return error.exitCode;
    }
    if (error instanceof TokenError) {
      console.error(`pincer: ${error.message}`);
      return 1;
    }
    if (error instanceof ConfigError) {
      console.error(`pincer: config error: ${error.message}`);
      return 1;
    }
    if (error instanceof ProvisionError) {
      console.error(`pincer: ${error.line}`);
      return 1;
    }
    if (error instanceof SandboxError) {
      console.error(`pincer: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * Exits with `code` once stdout and stderr have written everything. Writes to a pipe are
 * asynchronous: exiting at once would cut the output at what the pipe took (64 KiB).
 */
export async function exitWhenFlushed(code: number): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed || !stream.writable) resolve();
      else stream.write('', () => resolve());
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

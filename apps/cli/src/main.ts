import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, PINCER_VERSION } from '@pincer/config';
import { ProvisionError } from '@pincer/provision';
import { doctor } from './commands/doctor.ts';
import { migrate } from './commands/migrate.ts';
import { start } from './commands/start.ts';

const COMMANDS = {
  start: { run: start, summary: 'provision what is missing, start every process, supervise until Ctrl-C' },
  migrate: {
    run: migrate,
    summary: 'apply database migrations to DATABASE_URL and create the owner account',
  },
  doctor: { run: doctor, summary: 'show what is provisioned and healthy, and how to fix what is not' },
} as const;

type CommandName = keyof typeof COMMANDS;

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`);
  return [`pincer ${PINCER_VERSION}`, '', 'Usage: pincer <command>', '', 'Commands:', ...lines].join('\n');
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
  if (values.version) {
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
  try {
    return await COMMANDS[name].run(loadConfig());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pincer: config error: ${error.message}`);
      return 1;
    }
    if (error instanceof ProvisionError) {
      console.error(`pincer: ${error.line}`);
      return 1;
    }
    throw error;
  }
}

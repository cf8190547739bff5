import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from '../api-client.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's arguments strictly; a mistake is a usage error (exit 2) showing the usage. */
export function parseCommand<const O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw usageError(`${reason} Usage: ${usage}`);
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** The positional at `index`, or a usage error naming what is missing. */
export function required(positionals: string[], index: number, what: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined) throw usageError(`missing ${what}. Usage: ${usage}`);
  return value;
}

/** Text columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

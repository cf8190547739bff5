/** Terminal output of `pincer start`: one line per event, each prefixed with the process it came from. */

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;

const COLORS: Record<string, number> = {
  pincer: 1,
  web: 36,
  worker: 35,
  gateway: 34,
  postgres: 32,
  temporal: 33,
};

function paint(code: number, text: string): string {
  return useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
}

const PREFIX_WIDTH = 8;

export function prefixed(name: string, line: string): string {
  return `${paint(COLORS[name] ?? 37, name.padEnd(PREFIX_WIDTH))}│ ${line}`;
}

const PINO_LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'process', 'v', 'ts']);

/**
 * Renders a JSON log event (pino's or Temporal's) as `LEVEL message key=value ...`; any other line
 * is passed through unchanged.
 */
export function renderLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const rawLevel = event.level;
  const level =
    typeof rawLevel === 'number' ? (PINO_LEVELS[rawLevel] ?? String(rawLevel)) : String(rawLevel ?? 'INFO');
  const message = typeof event.msg === 'string' ? event.msg : '';
  const fields = Object.entries(event)
    .filter(([key]) => !HIDDEN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const levelText = level.toUpperCase().padEnd(5);
  const colored = /ERROR|FATAL/.test(levelText)
    ? paint(31, levelText)
    : /WARN/.test(levelText)
      ? paint(33, levelText)
      : levelText;
  return [colored, message, ...fields].filter(Boolean).join(' ');
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function bold(text: string): string {
  return paint(1, text);
}

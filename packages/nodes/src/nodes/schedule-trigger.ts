import { z } from 'zod';
import { defineNode } from '../define.ts';
import { triggerNodeType } from '../kinds.ts';

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names accepted instead of numbers, the first one standing for `min`. */
  names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  // 7 is Sunday too, as in most crons.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** Shorthands Temporal Schedules understand besides the five fields. */
const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const CRON_ITEM = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/;

function cronValue(text: string, field: CronField): number | undefined {
  const byName = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (byName >= 0) return field.min + byName;
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}

/** What is wrong with one comma-separated item of a field (`*`, `5`, `1-5`, `*\/15`, `MON-FRI`), if anything. */
function cronItemProblem(item: string, field: CronField): string | undefined {
  const match = CRON_ITEM.exec(item);
  if (!match) return `${field.name} "${item}" is not a value, range (a-b) or step (*/n)`;
  const [, start = '', end, step] = match;
  if (step !== undefined && Number(step) === 0) return `${field.name} "${item}" has a step of 0`;
  if (start === '*') return end === undefined ? undefined : `${field.name} "${item}": * cannot start a range`;
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}`;
  const from = cronValue(start, field);
  if (from === undefined) return `${field.name} "${start}" is outside ${range}`;
  if (end === undefined) return undefined;
  const to = cronValue(end, field);
  if (to === undefined) return `${field.name} "${end}" is outside ${range}`;
  return from <= to ? undefined : `${field.name} range "${item}" goes backwards`;
}

/** What is wrong with a cron expression, or undefined when Temporal Schedules will accept it. */
function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (CRON_MACROS.includes(trimmed.toLowerCase())) return undefined;
  const parts = trimmed.split(/\s+/);
  if (parts.length !== CRON_FIELDS.length) {
    return `"${expression}" has ${parts.length} fields; cron needs 5: minute hour day-of-month month day-of-week (e.g. "0 9 * * MON-FRI")`;
  }
  for (const [index, field] of CRON_FIELDS.entries()) {
    for (const item of (parts[index] ?? '').split(',')) {
      const problem = cronItemProblem(item, field);
      if (problem) return problem;
    }
  }
  return undefined;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const scheduleTrigger = defineNode({
  type: triggerNodeType('schedule'),
  title: 'Schedule trigger',
  description: 'Starts the workflow on a cron schedule (a Temporal Schedule), in a time zone of your choice.',
  category: 'trigger',
  capability: 'core',
  execution: 'control',
  sideEffects: 'none',
  config: z.strictObject({
    cron: z
      .string()
      .superRefine((expression, context) => {
        const problem = cronProblem(expression);
        if (problem) context.addIssue({ code: 'custom', message: `cron ${problem}` });
      })
      .describe(
        'When to start: five fields, minute hour day-of-month month day-of-week, e.g. "0 9 * * MON-FRI" (09:00 on weekdays) or "*/15 * * * *"; or @hourly, @daily, @weekly, @monthly, @yearly.',
      ),
    timezone: z
      .string()
      .refine(isTimeZone, 'expected an IANA time zone name such as UTC or Europe/Berlin')
      .default('UTC')
      .describe('The IANA time zone the cron fields are read in, e.g. Europe/Berlin.'),
    overlap: z
      .enum(['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'terminate_other', 'allow_all'])
      .default('skip')
      .describe(
        'When the previous run is still going at the next tick (Temporal overlap policies): skip the tick; buffer_one or buffer_all to start after it; cancel_other or terminate_other to stop it first; allow_all to run side by side.',
      ),
    input: z
      .unknown()
      .optional()
      .describe(
        'The input every scheduled run starts with, read as trigger in expressions; {} when left out.',
      ),
  }),
  docs: {
    example: `
workflow:
  name: morning_check
  triggers:
    - type: schedule
      cron: "0 9 * * MON-FRI"
      timezone: Europe/Berlin
      overlap: skip
      input: { region: eu }
  steps:
    - name: check
      type: http_request
      url: "{{ 'https://status.example.com/api/' & trigger.region }}"
`,
    notes:
      'A Temporal Schedule, made when the workflow is stored. ' +
      "Scheduled runs start on the workflow's latest version; `input` is `trigger` in expressions.",
    minimal: { cron: '0 9 * * MON-FRI' },
  },
  outputs: ['main'],
});

export type ScheduleTriggerConfig = z.output<typeof scheduleTrigger.config>;

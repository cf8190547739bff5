/**
 * Writes docs/nodes.md from the node registry: every built-in node type with its config fields
 * (from the same zod schemas that validate YAML), ports, defaults and an example.
 *
 *   npm run docs:nodes            rewrite docs/nodes.md
 *   npm run docs:nodes -- --check exit 1 when docs/nodes.md is not what this script writes
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CATEGORIES,
  type CatalogEntry,
  type Category,
  createRegistry,
  type JsonSchema,
  type NodeDefinition,
  type NodeRegistry,
  type RetryPolicy,
} from '@pincer/nodes';
import { COMMON_STEP_KEYS } from '@pincer/workflow';

export const NODE_DOCS_PATH = path.resolve(import.meta.dirname, '../docs/nodes.md');

const CATEGORY_TITLES: Record<Category, string> = {
  trigger: 'Triggers',
  ai: 'AI',
  code: 'Code',
  browser: 'Browser',
  messaging: 'Messaging',
  logic: 'Logic',
  data: 'Data',
};

interface NodeExtras {
  /** A whole workflow using the node type; docs.test.ts compiles it. */
  example: string;
  /** What the node does with the step's common fields, where that is not the usual. */
  notes?: string;
}

/** One entry per built-in node type: rendering fails for a type without one. */
const EXTRAS: Record<string, NodeExtras> = {
  manual_trigger: {
    example: `
workflow:
  name: greet
  triggers:
    - type: manual
      input_schema:
        type: object
        properties:
          name: { type: string }
  steps:
    - name: greet
      type: transform
      value: "{{ 'Hello, ' & trigger.name }}"
`,
    notes: 'The run input is `trigger` in expressions.',
  },
  webhook_trigger: {
    example: `
workflow:
  name: intake
  triggers:
    - type: webhook
      name: orders
      method: POST
      respond: when_done
      timeout: 10s
  steps:
    - name: answer
      type: respond
      status: 201
      body:
        received: "{{ trigger.body.id }}"
`,
    notes:
      'The request is `trigger` in expressions: `{ method, path, query, headers, body }` (a JSON body parsed; ' +
      'the secret, Authorization and Cookie left out). Callers send the secret in the `X-Pincer-Secret` header. ' +
      'Its URL is `/api/v1/hooks/{id}`; the id and secret are made when the workflow is stored. ' +
      'See [workflows.md](workflows.md#webhook) for the answers it gives.',
  },
  schedule_trigger: {
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
  },
  transform: {
    example: `
workflow:
  name: cart_summary
  steps:
    - name: fetch
      type: http_request
      url: https://shop.example.com/api/cart
    - name: summary
      type: transform
      value:
        items: "{{ $count(steps.fetch.output.body.items) }}"
        total: "{{ $sum(steps.fetch.output.body.items.price) }}"
`,
  },
  condition: {
    example: `
workflow:
  name: big_orders
  steps:
    - name: is_big
      type: condition
      condition: "{{ trigger.amount > 1000 }}"
    - name: flag
      type: transform
      needs: [is_big.true]
      value: "{{ 'Big order: ' & $string(trigger.amount) }}"
    - name: pass
      type: transform
      needs: [is_big.false]
      value: ok
`,
    notes: 'Outputs `{ branch, value }`. Steps that need the port not taken are skipped.',
  },
  switch: {
    example: `
workflow:
  name: route_by_plan
  steps:
    - name: route
      type: switch
      value: "{{ trigger.plan }}"
      cases:
        - { name: premium, equals: premium }
        - { name: team, equals: team }
    - name: priority
      type: transform
      needs: [route.premium, route.team]
      join: any
      value: priority support
    - name: standard
      type: transform
      needs: [route.default]
      value: standard support
`,
    notes:
      'Its ports are the names of its cases and `default`. Outputs `{ branch, value }`. Steps that need a ' +
      'port not taken are skipped.',
  },
  respond: {
    example: `
workflow:
  name: lookup
  triggers:
    - type: webhook
      method: GET
      respond: when_done
  steps:
    - name: find
      type: transform
      value: "{{ trigger.query.id }}"
    - name: answer
      type: respond
      headers: { Cache-Control: no-store }
      body: { id: "{{ steps.find.output }}" }
`,
    notes:
      'The webhook answers as soon as the first respond step has run; the steps after it go on running ' +
      '(a later failure does not change the answer). Transform, condition, switch and respond run inside ' +
      'the workflow, not as activities.',
  },
  delay: {
    example: `
workflow:
  name: follow_up
  steps:
    - name: cool_down
      type: delay
      duration: 2h
    - name: until_send_time
      type: delay
      until: "{{ trigger.send_at }}"
    - name: remind
      type: transform
      value: "{{ 'Reminder for ' & trigger.email }}"
`,
    notes: "Outputs `{ waitedMs }`. The step's `timeout` and `retry` do not apply.",
  },
  approval: {
    example: `
workflow:
  name: refund
  steps:
    - name: ask
      type: approval
      message: "{{ 'Refund ' & $string(trigger.amount) & ' EUR to ' & trigger.customer & '?' }}"
      approvers: [finance@example.com]
      on_timeout: reject
      timeout: 8h
    - name: pay_back
      type: http_request
      method: POST
      url: https://payments.example.com/api/refunds
      body: { customer: "{{ trigger.customer }}", amount: "{{ trigger.amount }}" }
`,
    notes:
      "The step's `timeout` is how long it waits for a decision. While it waits the step is " +
      '`waiting_approval` and the run `waiting`. Approval outputs `{ approved: true, by, comment? }` ' +
      '(`by: timeout` when `on_timeout: approve` decided); ' +
      'a rejection fails the step (error type `ApprovalRejected`), and so does a timeout with ' +
      '`on_timeout: reject` (`ApprovalTimedOut`). Decide with `POST /api/v1/runs/{id}/approvals/{step}`.',
  },
  for_each: {
    example: `
workflow:
  name: notify_users
  steps:
    - name: users
      type: http_request
      url: https://api.example.com/users
    - name: each_user
      type: for_each
      items: "{{ steps.users.output.body }}"
      concurrency: 5
      step:
        type: http_request
        method: POST
        url: https://api.example.com/notify
        body: { user: "{{ item.id }}", position: "{{ index }}" }
`,
    notes:
      "The step's `retry` and `timeout` apply to each item, with the per-item type's defaults otherwise. " +
      'The first item that fails stops new items from starting; the step fails with `item <index>: <message>` ' +
      'once those under way have ended.',
  },
  sub_workflow: {
    example: `
workflow:
  name: nightly
  steps:
    - name: report
      type: sub_workflow
      workflow: daily_report
      input: { day: "{{ trigger.day }}" }
    - name: headline
      type: transform
      value: "{{ steps.report.output.output.title }}"
`,
    notes:
      "The child is a run of its own (its parent recorded). The step's `timeout` and `retry` do not apply; " +
      'a failed child fails the step with error type `SubWorkflowFailed`.',
  },
  external_activity: {
    example: `
workflow:
  name: score
  steps:
    - name: score_lead
      type: external_activity
      task_queue: python-tools
      activity: score_lead
      input: { email: "{{ trigger.email }}" }
      heartbeat_timeout: 30s
      timeout: 10m
      retry: { max_attempts: 3 }
`,
    notes:
      "The step's `timeout` bounds each attempt (start to close) and its `retry` applies. The activity's " +
      'return value is the output. Your worker, not Pincer, must poll `task_queue`.',
  },
  'llm.chat': {
    example: `
workflow:
  name: answer
  steps:
    - name: reply
      type: llm.chat
      system: You answer in one short sentence.
      prompt: "{{ trigger.question }}"
      session: "{{ trigger.chat_id }}"
      max_tokens: 200
`,
    notes:
      'Outputs `text` with `finish_reason`, `model` (name, provider, file sha256), `sampling` (temperature, seed, ' +
      'max_tokens: enough to replay the step), `usage` (prompt and completion tokens) and `timings` ' +
      '(first_token_ms, total_ms, tokens_per_second). The model is configured under `llm` in pincer.yaml ' +
      '(see docs/inference.md).',
  },
  'llm.extract': {
    example: `
workflow:
  name: read_order
  steps:
    - name: order
      type: llm.extract
      text: "{{ trigger.email_body }}"
      instructions: Extract the customer and the order number.
      schema:
        type: object
        properties:
          customer: { type: string }
          order_number: { type: integer }
        required: [customer, order_number]
`,
    notes:
      'Generation is constrained by a grammar built from the schema, so `data` is always JSON valid for it. ' +
      'An answer cut by `max_tokens` fails the step with `llm_output_truncated`.',
  },
  'llm.classify': {
    example: `
workflow:
  name: triage
  steps:
    - name: team
      type: llm.classify
      text: "{{ trigger.message }}"
      labels: [billing, bug, question]
    - name: route
      type: switch
      value: "{{ steps.team.output.label }}"
      cases:
        - { name: billing, equals: billing }
        - { name: bug, equals: bug }
`,
    notes: 'The model can only produce one of `labels`; `label` is always one of them.',
  },
  'llm.summarize': {
    example: `
workflow:
  name: tldr
  steps:
    - name: fetch
      type: http_request
      url: https://example.com/report
      response_type: text
    - name: summary
      type: llm.summarize
      text: "{{ steps.fetch.output.body }}"
      max_words: 50
`,
    notes:
      'Text longer than `chunk_chars` is cut at paragraph or sentence ends; the chunks are summarized side by ' +
      'side (one batch on the local model), then their summaries together. `chunks` says how many there were.',
  },
  http_request: {
    example: `
workflow:
  name: create_issue
  steps:
    - name: create
      type: http_request
      method: POST
      url: https://api.example.com/issues
      headers: { Accept: application/json }
      query: { notify: true }
      body:
        title: "{{ trigger.title }}"
      retry: { max_attempts: 5, initial_interval: 2s }
      timeout: 10s
    - name: issue_id
      type: transform
      value: "{{ steps.create.output.body.id }}"
`,
    notes:
      "The step's `timeout` covers the whole exchange of one attempt, redirects included. Network errors, " +
      'timeouts and the statuses listed under `fail_on_status` are retried; other failures are not.',
  },
  shell: {
    example: `
workflow:
  name: count_errors
  steps:
    - name: errors
      type: shell
      mounts: [/var/log]
      command: grep -c ERROR /var/log/app.log
      fail_on_error: false
    - name: count
      type: transform
      value: "{{ $number(steps.errors.output.stdout) }}"
`,
    notes:
      'Each step runs in a fresh container (non-root, read-only root, no capabilities, memory/CPU/pids ' +
      'limits, no network unless `network` lists hosts); see [sandbox.md](sandbox.md). Statuses: ok, ' +
      'output_truncated, exit_nonzero, timeout, oom; the last three fail the step unless `fail_on_error: false`.',
  },
  python: {
    example: `
workflow:
  name: summarize_csv
  steps:
    - name: summary
      type: python
      timeout: 2m
      memory_mb: 1024
      files:
        data.csv: "{{ trigger.csv }}"
      script: |
        import pandas
        frame = pandas.read_csv("/in/data.csv")
        frame.describe().to_csv("/out/summary.csv")
        print(len(frame))
`,
    notes:
      'Python 3 with pandas, requests and pyyaml in the default image. Files written to /out come back ' +
      'as artifacts in `output.files`; see [sandbox.md](sandbox.md) for limits and the network allow-list.',
  },
  browser: {
    example: `
workflow:
  name: dashboard_snapshot
  steps:
    - name: snapshot
      type: browser
      timeout: 2m
      actions:
        - { action: navigate, url: "https://shop.example.com/login" }
        - { action: fill, selector: "#username", value: "{{ trigger.username }}" }
        - { action: fill, selector: "#password", value: "{{ secrets.shop_password }}" }
        - { action: click, selector: "role=button[name=\\"Sign in\\"]" }
        - { action: wait_for_selector, selector: .dashboard, timeout_ms: 15000 }
        - { action: screenshot, name: dashboard.png }
        - { action: extract_table, selector: "#orders", as: orders }
    - name: count
      type: transform
      value: "{{ $count(steps.snapshot.output.data.orders) }}"
`,
    notes:
      'Every action has `timeout_ms` (default `browser.actionTimeoutMs`, 30 s) and `retries` (default 2, ' +
      'with backoff); a failing action fails the step with the action, its selector, `failure-screenshot.png` ' +
      'and `failure-page.html` kept as artifacts. Each step gets a fresh browser context, closed afterwards; ' +
      'cookies come only from `profile`. Private addresses are refused unless `nodes.allowPrivateHosts` or ' +
      '`browser.allowHosts` allows them; `evaluate` needs `browser.allowEvaluate`. See docs/browser.md.',
  },
  message: {
    example: `
workflow:
  name: daily_report
  steps:
    - name: count
      type: transform
      value: "day,errors\\nmonday,3\\n"
    - name: send
      type: message
      platform: telegram
      channel: "-1001234567890"
      text: "Errors today, see the file"
      files:
        - name: report.csv
          media_type: text/csv
          content: "{{ steps.count.output }}"
`,
    notes:
      'The platform must be configured under `channels` in pincer.yaml (see docs/channels.md). In a run ' +
      'started from chat, `{{ trigger.reply.platform }}` and `{{ trigger.reply.chat_id }}` answer where the ' +
      'message came from. A rate limit (Telegram retry_after, Slack Retry-After, Discord buckets) is retried.',
  },
};

const EXECUTION_TEXT: Record<CatalogEntry['execution'], (entry: CatalogEntry) => string> = {
  activity: (entry) =>
    `as a Temporal activity on the \`${entry.taskQueue}\` task queue, in any worker that serves it. ` +
    '`timeout` bounds each attempt; the activity heartbeats, so a worker that dies is noticed within a minute.',
  local: () =>
    'as a local activity in the worker that runs the workflow: quick work without a task-queue hop. ' +
    '`timeout` bounds each attempt.',
  control: () => 'in the interpreter workflow itself, as a control node (no Pincer activity of its own).',
};

/** The whole of docs/nodes.md for the registry's node types. */
export function renderNodeDocs(registry: NodeRegistry = createRegistry()): string {
  const catalog = registry.catalog();
  const missing = catalog.filter((entry) => !EXTRAS[entry.type]).map((entry) => entry.type);
  if (missing.length > 0) {
    throw new Error(`scripts/node-docs.ts: add an example for ${missing.join(', ')} to EXTRAS.`);
  }
  const sections = CATEGORIES.flatMap((category) => {
    const entries = catalog.filter((entry) => entry.category === category);
    if (entries.length === 0) return [];
    return [`## ${CATEGORY_TITLES[category]}`, ...entries.map((entry) => renderNode(entry, registry))];
  });
  return `${[...intro(catalog), ...sections].join('\n\n')}\n`;
}

function intro(catalog: CatalogEntry[]): string[] {
  const contents = CATEGORIES.flatMap((category) => {
    const entries = catalog.filter((entry) => entry.category === category);
    if (entries.length === 0) return [];
    const links = entries.map((entry) => `[${entry.title}](#${anchor(heading(entry))})`);
    return [`- ${CATEGORY_TITLES[category]}: ${links.join(', ')}`];
  });
  return [
    '# Node types',
    '<!-- Generated by scripts/node-docs.ts from the node registry. Do not edit: change the node ' +
      'schemas or the script, then run `npm run docs:nodes`. -->',
    'Every step of a workflow has a node type. A step is written as its common fields ' +
      `(${COMMON_STEP_KEYS.map((key) => `\`${key}\``).join(', ')}) and, side by side with them, the ` +
      "fields of its type's config listed below. No node type has a config field named like a common " +
      'field. The common fields, expressions and run semantics are explained in ' +
      '[workflows.md](workflows.md).',
    'Triggers are not steps: they go under `triggers:` with the type written without `_trigger` ' +
      '(`type: webhook` for `webhook_trigger`).',
    'Config fields may hold `{{ expression }}` templates. The compiler checks a field as written; a ' +
      'field that is a template is checked again once resolved, when the step runs. Durations are ' +
      'written as `500ms`, `30s`, `5m`, `24h`, `7d`, `1h30m` or as a number of milliseconds.',
    'Every step has the ports listed under _Outputs_ and also `error`, which a step reaches through ' +
      "`needs: [step.error]` or the failing step's `on_error`. Steps of a type without its own " +
      'defaults get the defaults described in [workflows.md](workflows.md#retries-and-timeouts).',
    'Besides these built-in types, Pincer loads plugins: every `*.ts`, `*.mjs` or `*.js` file directly ' +
      'in `plugins/` of the checkout, whose default export (or `node` or `nodes` export) is a node ' +
      'definition made with `defineNode` from `@pincer/nodes`, or a list of them. The worker and the web ' +
      'app load them when they start. A plugin node runs as an activity or a local activity (control ' +
      'nodes are built in), may not reuse a built-in type id, and gets its JSON Schema the same way. A ' +
      'broken plugin file is logged and skipped.',
    '## Contents',
    contents.join('\n'),
  ];
}

function heading(entry: CatalogEntry): string {
  return `${entry.title}: \`${entry.type}\``;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function renderNode(entry: CatalogEntry, registry: NodeRegistry): string {
  const extras = EXTRAS[entry.type];
  const definition = registry.get(entry.type);
  const isTrigger = entry.category === 'trigger';
  const facts = [
    isTrigger
      ? `- **Declared** under \`triggers:\` as \`type: ${entry.type.replace(/_trigger$/, '')}\`; it starts runs and is not a step.`
      : `- **Runs** ${EXECUTION_TEXT[entry.execution](entry)}`,
    ...(isTrigger ? [] : [`- **Outputs**: ${outputsText(entry)}`]),
    ...(definition?.defaults ? [`- **Defaults**: ${defaultsText(definition.defaults)}`] : []),
  ];
  const lines = [
    `### ${heading(entry)}`,
    entry.description,
    facts.join('\n'),
    ...(extras?.notes ? [extras.notes] : []),
    fieldTable(entry.configSchema),
    `\`\`\`yaml\n${(extras?.example ?? '').trim()}\n\`\`\``,
  ];
  return lines.join('\n\n');
}

function outputsText(entry: CatalogEntry): string {
  const ports =
    entry.outputs === 'dynamic'
      ? 'decided by the config'
      : entry.outputs.map((port) => `\`${port}\``).join(', ');
  return `${ports}; and \`error\``;
}

function defaultsText(defaults: NonNullable<NodeDefinition['defaults']>): string {
  const parts: string[] = [];
  if (defaults.timeoutMs !== undefined) parts.push(`timeout ${formatMs(defaults.timeoutMs)}`);
  if (defaults.retry) parts.push(`retry ${retryText(defaults.retry)}`);
  return parts.join('; ');
}

function retryText(retry: Partial<RetryPolicy>): string {
  if (retry.maximumAttempts === 1) return 'none (1 attempt)';
  const parts: string[] = [];
  if (retry.maximumAttempts !== undefined) parts.push(`${retry.maximumAttempts} attempts`);
  if (retry.initialIntervalMs !== undefined)
    parts.push(`first retry after ${formatMs(retry.initialIntervalMs)}`);
  if (retry.backoffCoefficient !== undefined) parts.push(`backoff ×${retry.backoffCoefficient}`);
  if (retry.maximumIntervalMs !== undefined) parts.push(`at most ${formatMs(retry.maximumIntervalMs)} apart`);
  return parts.join(', ');
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Milliseconds as people write them in YAML: 30s, 24h (not 1d), 7d, 1500ms. */
function formatMs(ms: number): string {
  const unit = UNITS.find(([name, size]) => ms >= (name === 'd' ? 2 * size : size) && ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

function fieldTable(schema: JsonSchema): string {
  const rows = fieldRows(schema, '');
  if (rows.length === 0) return 'No config fields.';
  return table(
    ['field', 'type', 'default', 'required', 'description'],
    rows.map(({ name, schema: field, required }) => [
      `\`${name}\``,
      typeText(field),
      field.default === undefined ? '' : `\`${JSON.stringify(field.default)}\``,
      required ? 'yes' : 'no',
      field.description ?? '',
    ]),
  );
}

/** A Markdown table with its columns padded to one width, as Biome formats it. */
function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => width(row[column] ?? ''))));
  const line = (row: string[]) =>
    `| ${row.map((text, column) => text + ' '.repeat((widths[column] ?? 0) - width(text))).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [line(head), line(widths.map((size) => '-'.repeat(size))), ...body.map(line)].join('\n');
}

function width(text: string): number {
  return [...text].length;
}

/** The fields of an object schema, and the fields of objects within it (`cases[].name`). */
function fieldRows(schema: JsonSchema, prefix: string): FieldRow[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([key, field]) => {
    if (typeof field === 'boolean') return [];
    const name = `${prefix}${key}`;
    const row = { name, schema: field, required: required.has(key) };
    const items = field.items;
    if (field.properties) return [row, ...fieldRows(field, `${name}.`)];
    if (items && typeof items === 'object' && !Array.isArray(items) && items.properties) {
      return [row, ...fieldRows(items, `${name}[].`)];
    }
    return [row];
  });
}

/** A schema's type as a reader would say it: `string (GET | POST)`, `duration ("30s" or ms)`. */
function typeText(schema: JsonSchema): string {
  if (isDuration(schema)) return 'duration ("30s" or ms)';
  if (schema.enum) return `string (${schema.enum.map(String).join(' | ')})`;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    return either(alternatives.map((option) => (typeof option === 'boolean' ? 'any' : typeText(option))));
  }
  const type = schema.type;
  if (Array.isArray(type)) return either(type);
  switch (type) {
    case 'string':
      return stringText(schema);
    case 'integer':
    case 'number':
      return `${type}${rangeText(schema)}`;
    case 'boolean':
      return 'boolean';
    case 'array':
      return `list of ${itemsText(schema)}${schema.minItems ? ` (at least ${schema.minItems})` : ''}`;
    case 'object':
      return objectText(schema);
    default:
      return 'any';
  }
}

/** `a`, `a or b`, `a, b or c`. */
function either(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** What string formats are called, alone and in a list. */
const FORMATS: Record<string, { one: string; many: string }> = {
  uri: { one: 'URL', many: 'URLs' },
  email: { one: 'e-mail address', many: 'e-mail addresses' },
  'date-time': { one: 'ISO 8601 date-time', many: 'ISO 8601 date-times' },
};

function stringText(schema: JsonSchema): string {
  const format = schema.format ? FORMATS[schema.format] : undefined;
  return format ? `string (${format.one})` : 'string';
}

/** The largest safe integer, which zod sets as every int's maximum, says nothing to a reader. */
function rangeText(schema: JsonSchema): string {
  const { minimum, exclusiveMinimum } = schema;
  const maximum = schema.maximum === Number.MAX_SAFE_INTEGER ? undefined : schema.maximum;
  if (minimum !== undefined && maximum !== undefined) return ` (${minimum} to ${maximum})`;
  if (minimum !== undefined) return minimum === 0 ? ' (0 or more)' : ` (at least ${minimum})`;
  if (typeof exclusiveMinimum === 'number')
    return exclusiveMinimum === 0 ? ' (positive)' : ` (> ${exclusiveMinimum})`;
  return '';
}

function itemsText(schema: JsonSchema): string {
  const items = schema.items;
  if (items === undefined || typeof items === 'boolean' || Array.isArray(items)) return 'any';
  if (items.properties) return 'objects';
  const format = items.type === 'string' && items.format ? FORMATS[items.format] : undefined;
  if (format) return format.many;
  const text = typeText(items);
  return text.startsWith('string') ? text.replace(/^string/, 'strings') : text;
}

function objectText(schema: JsonSchema): string {
  if (schema.properties) return 'object';
  const values = schema.additionalProperties;
  if (values === undefined || typeof values === 'boolean' || Object.keys(values).length === 0)
    return 'object';
  return `map of ${typeText(values)}`;
}

/** `duration` from @pincer/nodes: a non-negative integer of ms, or a string like 30s or 1h30m. */
function isDuration(schema: JsonSchema): boolean {
  const options = schema.anyOf;
  if (options?.length !== 2) return false;
  const [number, text] = options;
  return (
    typeof number === 'object' &&
    number.type === 'integer' &&
    typeof text === 'object' &&
    text.type === 'string' &&
    (text.pattern?.includes('ms|s|m|h|d') ?? false)
  );
}

/** Table cells hold one line, and `|` would end the cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

async function main(argv: string[]): Promise<number> {
  const rendered = renderNodeDocs();
  const relative = path.relative(process.cwd(), NODE_DOCS_PATH);
  if (argv.includes('--check')) {
    const current = await readFile(NODE_DOCS_PATH, 'utf8').catch(() => '');
    if (current === rendered) return 0;
    console.error(
      `${relative} is out of date with the node registry: run \`npm run docs:nodes\` and commit it.`,
    );
    return 1;
  }
  await writeFile(NODE_DOCS_PATH, rendered);
  console.log(`wrote ${relative}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

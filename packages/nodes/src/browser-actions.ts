import { z } from 'zod';

/**
 * The actions of a `browser` step (and of @pincer/browser's AutomationSession.run). Declared here,
 * beside the node, so the node validates YAML and the studio builds its form without depending on
 * the browser package.
 */

const selector = z
  .string()
  .min(1, 'a selector is needed')
  .describe(
    'Which element: CSS by default ("#submit", ".dashboard h1"); "xpath=//table/tr[2]" or "//…" for XPath; "text=Sign in" for visible text; "role=button[name=\\"Sign in\\"]" for an ARIA role and accessible name.',
  );

const resultName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use letters, digits and _ (it becomes data.<name>)');

const common = {
  timeout_ms: z
    .int()
    .min(100)
    .max(600_000)
    .optional()
    .describe('How long one try of this action may take, in ms (default browser.actionTimeoutMs, 30 s).'),
  retries: z
    .int()
    .min(0)
    .max(10)
    .optional()
    .describe(
      'Tries after the first when the action times out or the page is not ready (default 2), with backoff.',
    ),
};

const file = z
  .strictObject({
    name: z.string().min(1).max(255).describe('The file name the page sees.'),
    content: z.string().optional().describe('The file content (text, or base64 with encoding: base64).'),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    artifact: z.string().optional().describe('Upload an artifact of this run by id instead of content.'),
    media_type: z.string().default('application/octet-stream'),
  })
  .refine((f) => (f.content === undefined) !== (f.artifact === undefined), 'give either content or artifact');

const waitUntil = z.enum(['load', 'domcontentloaded', 'networkidle', 'commit']);

export const browserActionSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('navigate'),
    url: z.string().min(1).describe('The http(s) URL to open.'),
    wait_until: waitUntil.default('load'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('click'),
    selector,
    button: z.enum(['left', 'right', 'middle']).default('left'),
    click_count: z.int().min(1).max(3).default(1),
    ...common,
  }),
  z.strictObject({
    action: z.literal('fill'),
    selector,
    value: z.string().describe('Replaces the field content.'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('type'),
    selector,
    text: z.string().describe('Typed key by key after what the field holds.'),
    delay_ms: z.int().min(0).max(1000).default(0),
    ...common,
  }),
  z.strictObject({
    action: z.literal('select'),
    selector,
    value: z
      .union([z.string(), z.array(z.string())])
      .describe('Option value(s) or label(s) to select in a <select>.'),
    ...common,
  }),
  z.strictObject({ action: z.literal('check'), selector, ...common }),
  z.strictObject({ action: z.literal('uncheck'), selector, ...common }),
  z.strictObject({ action: z.literal('hover'), selector, ...common }),
  z.strictObject({
    action: z.literal('press'),
    key: z.string().min(1).describe('A key or chord, e.g. "Enter", "Control+A".'),
    selector: selector.optional().describe('Focus this element first; the focused element otherwise.'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('scroll'),
    selector: selector.optional().describe('Scroll this element into view; the page by x/y otherwise.'),
    x: z.number().default(0),
    y: z.number().default(0),
    ...common,
  }),
  z.strictObject({
    action: z.literal('wait_for_selector'),
    selector,
    state: z.enum(['visible', 'attached', 'hidden', 'detached']).default('visible'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('wait_for_url'),
    url: z
      .string()
      .min(1)
      .describe('A glob ("**/dashboard"), or a regular expression between slashes ("/dash(board)?$/").'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('extract_text'),
    selector,
    as: resultName.describe('Puts the text into data.<as>.'),
    all: z.boolean().default(false).describe('A list of the text of every match instead of the first.'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('extract_attribute'),
    selector,
    attribute: z.string().min(1),
    as: resultName,
    all: z.boolean().default(false),
    ...common,
  }),
  z.strictObject({
    action: z.literal('extract_table'),
    selector: selector.describe('The <table>.'),
    as: resultName.describe('data.<as> becomes a list of rows keyed by the header cells.'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('screenshot'),
    selector: selector.optional().describe('Only this element; the page otherwise.'),
    full_page: z.boolean().default(false),
    name: z.string().min(1).max(200).optional().describe('Artifact file name (default screenshot-<n>.png).'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('pdf'),
    name: z.string().min(1).max(200).optional(),
    format: z.enum(['A4', 'Letter', 'Legal', 'A3']).default('A4'),
    ...common,
  }),
  z.strictObject({
    action: z.literal('upload'),
    selector: selector.describe('The <input type=file>.'),
    files: z.array(file).min(1),
    ...common,
  }),
  z.strictObject({
    action: z.literal('download'),
    selector: selector.describe('The element whose click starts the download.'),
    name: z.string().min(1).max(200).optional().describe("Artifact file name (default: the site's name)."),
    ...common,
  }),
  z.strictObject({ action: z.literal('go_back'), ...common }),
  z.strictObject({ action: z.literal('reload'), ...common }),
  z.strictObject({
    action: z.literal('evaluate'),
    script: z
      .string()
      .min(1)
      .describe('A JavaScript expression evaluated in the page; off unless browser.allowEvaluate is true.'),
    as: resultName.optional(),
    ...common,
  }),
]);

export type BrowserAction = z.output<typeof browserActionSchema>;
export type BrowserActionInput = z.input<typeof browserActionSchema>;
export type BrowserActionName = BrowserAction['action'];

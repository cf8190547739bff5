/**
 * What the llm nodes tell a model and how they check its answers, as plain functions (tested
 * without a model). Each one exists because bench:quality showed a small model answers better
 * with it; docs/inference.md lists the measured gains.
 */
import type { LlmMessage } from './define.ts';

/** Appended to a chat's system prompt: a small model otherwise invents what it does not know. */
export const HONESTY_INSTRUCTION =
  'Answer only with facts you are sure of. If you do not know, or the question is about something you have no information on, answer "I don\'t know." Never invent names, numbers, dates or places.';

/** Words as the summary limit counts them: runs of non-space characters. */
export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/**
 * The text cut to at most `maxWords` words: at the last sentence end within the limit when that
 * keeps at least a third of it, else after the last whole word (with an ellipsis). `cut` says
 * whether anything was removed.
 */
export function limitWords(text: string, maxWords: number): { text: string; cut: boolean } {
  const trimmed = text.trim();
  const words = [...trimmed.matchAll(/\S+/g)];
  if (words.length <= maxWords) return { text: trimmed, cut: false };
  const last = words[maxWords - 1];
  const within = trimmed.slice(0, (last?.index ?? 0) + (last?.[0].length ?? 0));
  let sentenceEnd: number | undefined;
  for (const match of within.matchAll(/[.!?…。](?:["'”’)\]]*)(?=\s|$)/g)) {
    sentenceEnd = match.index + match[0].length;
  }
  if (sentenceEnd !== undefined && countWords(within.slice(0, sentenceEnd)) >= Math.ceil(maxWords / 3)) {
    return { text: within.slice(0, sentenceEnd), cut: true };
  }
  return { text: `${within.replace(/[\s,;:–—-]+$/, '')}…`, cut: true };
}

/** One label's meaning and worked examples, for a classification prompt. */
export interface LabelGuide {
  descriptions?: Record<string, string> | undefined;
  examples?: readonly { text: string; label: string }[] | undefined;
}

/** The messages of a classification: the labels (with their meanings), then the examples as earlier turns. */
export function classifyMessages(
  instructions: string,
  labels: readonly string[],
  text: string,
  guide: LabelGuide = {},
): LlmMessage[] {
  const listed = labels
    .map((label) => {
      const about = guide.descriptions?.[label];
      return about ? `- ${label}: ${about}` : `- ${label}`;
    })
    .join('\n');
  const messages: LlmMessage[] = [
    {
      role: 'system',
      content: `${instructions} Answer with exactly one of these labels:\n${listed}`,
    },
  ];
  for (const example of guide.examples ?? []) {
    messages.push({ role: 'user', content: example.text }, { role: 'assistant', content: example.label });
  }
  messages.push({ role: 'user', content: text });
  return messages;
}

/**
 * The messages that score a text under one label (the "channel" direction: how likely is this
 * text, for a message about this label?). The label's description and its examples come first,
 * so words the text shares with them make it likelier.
 */
export function channelMessages(label: string, text: string, guide: LabelGuide = {}): LlmMessage[] {
  const about = guide.descriptions?.[label];
  const examples = (guide.examples ?? []).filter((example) => example.label === label);
  const lines = [`A message about ${label}${about ? ` (${about})` : ''}.`];
  if (examples.length > 0) {
    lines.push('Examples:', ...examples.map((example) => `- ${example.text}`));
  }
  return [
    { role: 'system', content: lines.join('\n') },
    { role: 'user', content: text },
  ];
}

/** A text that says nothing: the labels' scores for it are the prompt's own bias. */
export const NEUTRAL_TEXT = 'N/A';

/**
 * The label whose score rose most over its score for NEUTRAL_TEXT (contextual calibration): a
 * small model gives one label most of the probability whatever the text, and this takes that out.
 */
export function calibratedChoice(scores: Record<string, number>, neutral: Record<string, number>): string {
  let best: string | undefined;
  let bestGain = -Infinity;
  for (const [label, score] of Object.entries(scores)) {
    const gain = score - (neutral[label] ?? 0);
    if (gain > bestGain) {
      best = label;
      bestGain = gain;
    }
  }
  if (best === undefined) throw new Error('no label was scored');
  return best;
}

type Schema = Record<string, unknown>;

/**
 * The system prompt of an extraction. An object schema is described field by field (name, type,
 * allowed values, its `description` and first `examples` value), which a small model follows far
 * better than the JSON Schema itself; any other schema is given as JSON.
 */
export function extractionPrompt(instructions: string, schema: Schema): string {
  const properties = objectProperties(schema);
  if (!properties) {
    return `${instructions} Answer with JSON only, valid for this JSON Schema: ${JSON.stringify(schema)}`;
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields = Object.entries(properties).map(([name, field]) => {
    const facts = [typeName(field)];
    if (!required.has(name)) facts.push('optional');
    let line = `- ${name} (${facts.join(', ')})`;
    if (typeof field.description === 'string') line += `: ${field.description}`;
    const example = Array.isArray(field.examples) ? field.examples[0] : field.example;
    if (example !== undefined) line += `. Example: ${JSON.stringify(example)}`;
    return line;
  });
  return `${instructions}\nThe JSON object has these fields:\n${fields.join('\n')}\nCopy each value from the text; do not make one up. Answer with the JSON object only.`;
}

/** Where extracted values do not appear in the source text (JSON paths like `$.supplier`). */
export function unverifiedValues(value: unknown, schema: Schema, source: string): string[] {
  const text = normalize(source);
  const numbers = numbersIn(source);
  const found: string[] = [];
  const walk = (item: unknown, itemSchema: Schema | undefined, at: string) => {
    // A value from a closed list (an enum, a const) may be a code the text does not spell out.
    if (itemSchema && ('enum' in itemSchema || 'const' in itemSchema)) return;
    if (typeof item === 'string') {
      if (item.trim() !== '' && !text.includes(normalize(item))) found.push(at);
    } else if (typeof item === 'number') {
      if (!numbers.some((candidate) => Math.abs(candidate - item) < 1e-6)) found.push(at);
    } else if (Array.isArray(item)) {
      const items = itemSchema?.items as Schema | undefined;
      for (const [index, entry] of item.entries()) walk(entry, items, `${at}[${index}]`);
    } else if (item && typeof item === 'object') {
      const properties = itemSchema ? objectProperties(itemSchema) : undefined;
      for (const [key, entry] of Object.entries(item)) walk(entry, properties?.[key], `${at}.${key}`);
    }
  };
  walk(value, schema, '$');
  return found;
}

/** Asks again for the values not found in the text, naming them. */
export function verificationRequest(data: unknown, unverified: readonly string[]): LlmMessage[] {
  return [
    { role: 'assistant', content: JSON.stringify(data) },
    {
      role: 'user',
      content: `These values are not in the text: ${unverified.join(', ')}. Read the text again and answer with the whole JSON object, copying every value from the text.`,
    },
  ];
}

/** The answer with each unverified value taken from the second answer when that one is in the text. */
export function mergeVerified(
  first: Record<string, unknown>,
  second: unknown,
  unverified: readonly string[],
  stillUnverified: readonly string[],
): Record<string, unknown> {
  if (!second || typeof second !== 'object' || Array.isArray(second)) return first;
  const merged = { ...first };
  for (const at of unverified) {
    const key = /^\$\.([^.[]+)$/.exec(at)?.[1];
    if (key !== undefined && Object.hasOwn(second, key) && !stillUnverified.includes(at)) {
      merged[key] = (second as Record<string, unknown>)[key];
    }
  }
  return merged;
}

/** At most this many phrases a text field may choose from: the grammar grows with them. */
const MAX_PHRASES = 400;

/**
 * The schema with each required text and number field of an object narrowed to what the text
 * contains: an `enum` of its phrases (lines, and their parts between separators, runs of
 * capitalised words, words with digits, e-mail addresses) or of its numbers. The grammar then
 * lets the model only copy, never invent; fields with an enum, a format or a pattern already, and
 * optional ones (the text may not have them), stay as they are.
 */
export function groundedSchema(schema: Schema, text: string): Schema {
  const properties = objectProperties(schema);
  if (!properties) return schema;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const phrases = phrasesIn(text);
  const numbers = [...new Set(numbersIn(text))];
  const narrowed = Object.fromEntries(
    Object.entries(properties).map(([name, field]) => {
      if (
        !required.has(name) ||
        'enum' in field ||
        'const' in field ||
        'format' in field ||
        'pattern' in field
      ) {
        return [name, field];
      }
      if (field.type === 'string' && phrases.length > 0) return [name, { ...field, enum: phrases }];
      const values = field.type === 'integer' ? numbers.filter(Number.isInteger) : numbers;
      if ((field.type === 'number' || field.type === 'integer') && values.length > 0) {
        return [name, { ...field, enum: values }];
      }
      return [name, field];
    }),
  );
  return { ...schema, properties: narrowed };
}

/** Up to five capitalised words in a row (a name, a company, a city), `&` allowed between them. */
const CAPITALISED_RUN =
  /\p{Lu}[\p{L}&'’.-]*(?![\p{L}\d])(?:\s+(?:&\s+)?\p{Lu}[\p{L}&'’.-]*(?![\p{L}\d])){0,4}/gu;

function phrasesIn(text: string): string[] {
  const found = new Set<string>();
  const add = (phrase: string) => {
    const clean = phrase.replace(/^[\s"'“”‘’.,:;!?*#-]+|[\s"'“”‘’.,:;!?*-]+$/g, '').replace(/\s+/g, ' ');
    if (clean.length >= 2 && clean.length <= 80) found.add(clean);
  };
  for (const line of text.normalize('NFKC').split(/\n/)) {
    add(line);
    for (const part of line.split(/\s{2,}|\t|[,;|<>()[\]]|:\s|\s[-–—]\s/)) add(part);
    for (const run of line.matchAll(CAPITALISED_RUN)) add(run[0]);
    for (const word of line.matchAll(/\+?\d[\d\s/().-]{5,}\d|\S*\d\S*|\S+@\S+/g)) add(word[0]);
  }
  return [...found].slice(0, MAX_PHRASES);
}

function objectProperties(schema: Schema): Record<string, Schema> | undefined {
  const properties = schema.properties;
  return properties && typeof properties === 'object' && !Array.isArray(properties)
    ? (properties as Record<string, Schema>)
    : undefined;
}

function typeName(field: Schema): string {
  if (Array.isArray(field.enum))
    return `one of ${field.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  if (field.type === 'string') return 'text';
  if (field.type === 'integer') return 'whole number';
  if (field.type === 'number') return 'number, digits only';
  if (field.type === 'array') return 'list';
  return typeof field.type === 'string' ? field.type : 'value';
}

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Every number the text writes, read in each plausible convention: `1,234.50`, `1.234,50`,
 * `1 234,50`, `4'800.00` and plain digits.
 */
function numbersIn(text: string): number[] {
  const values = new Set<number>();
  for (const match of text.normalize('NFKC').matchAll(/\d(?:[\d.,'’ ]*\d)?/g)) {
    const raw = match[0].replace(/['’ ]/g, '');
    values.add(Number(raw.replace(/,/g, '')));
    values.add(Number(raw.replace(/\./g, '').replace(',', '.')));
    for (const part of match[0].split(/[^\d.,]+/)) {
      values.add(Number(part.replace(/,/g, '')));
      values.add(Number(part.replace(/\./g, '').replace(',', '.')));
    }
  }
  return [...values].filter(Number.isFinite);
}

'use client';

import { useId, useMemo, useState } from 'react';
import { z } from 'zod';
import type { CatalogEntry, CompileIssue, GraphNode } from './model.ts';

const TypeName = z.union([z.string(), z.array(z.string())]).optional();

/** The parts of a field's JSON Schema that pick its control. */
const FieldSchema = z.looseObject({
  type: TypeName,
  enum: z.array(z.unknown()).optional(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  anyOf: z.array(z.looseObject({ type: TypeName })).optional(),
});
type FieldSchema = z.infer<typeof FieldSchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fieldsOf(
  schema: Record<string, unknown>,
): { name: string; field: FieldSchema; required: boolean }[] {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(properties).map(([name, field]) => ({
    name,
    field: FieldSchema.safeParse(field).data ?? {},
    required: required.has(name),
  }));
}

type Kind = 'string' | 'number' | 'boolean' | 'enum' | 'json' | 'any';

function kindOf(field: FieldSchema): Kind {
  if (field.enum) return 'enum';
  const types = Array.isArray(field.type) ? field.type : field.type ? [field.type] : [];
  if (types.length === 0 && field.anyOf)
    return field.anyOf.some((option) => option.type === 'string') ? 'string' : 'json';
  if (types.length === 0) return 'any';
  if (types.includes('string')) return 'string';
  if (types.includes('number') || types.includes('integer')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  return 'json';
}

/** The text shown for a value; JSON for structures. */
function display(value: unknown, kind: Kind): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && kind !== 'json') return value;
  return JSON.stringify(value, null, 2);
}

/** The text typed back into a value, or the reason it is not one. */
function parse(text: string, kind: Kind): { value?: unknown; error?: string } {
  if (text.trim() === '') return {};
  if (kind === 'number') {
    const value = Number(text);
    return Number.isFinite(value) ? { value } : { error: 'Enter a number.' };
  }
  // `{{ expr }}` is a template, not a JSON object.
  if (kind === 'json' || (kind === 'any' && /^\s*(\[|\{(?!\{))/.test(text))) {
    try {
      return { value: JSON.parse(text) };
    } catch {
      return { error: 'Not valid JSON: check brackets, quotes and commas.' };
    }
  }
  return { value: text };
}

interface StepFormProps {
  node: GraphNode;
  entry: CatalogEntry | undefined;
  issues: CompileIssue[];
  /** What an expression may name here: upstream outputs (and their known fields), trigger, vars. */
  completions: string[];
  readOnly: boolean;
  onChange(data: GraphNode['data']): void;
  onRename(name: string): string | null;
}

/** The side panel: the step's fields from its node type's JSON schema, checked as you type. */
export function StepForm({ node, entry, issues, completions, readOnly, onChange, onRename }: StepFormProps) {
  const fields = useMemo(() => (entry ? fieldsOf(entry.configSchema) : []), [entry]);
  const [nameDraft, setNameDraft] = useState(node.id);
  const [nameError, setNameError] = useState<string | null>(null);
  const general = issues.filter(
    (issue) => !issue.field || !fields.some((f) => issue.field?.startsWith(f.name)),
  );

  function commitName() {
    if (nameDraft === node.id) return;
    setNameError(onRename(nameDraft));
  }

  function setConfig(name: string, value: unknown) {
    const config = { ...node.data.config };
    if (value === undefined) delete config[name];
    else config[name] = value;
    onChange({ ...node.data, config });
  }

  return (
    <form className="step-form" onSubmit={(event) => event.preventDefault()} aria-label={`Step ${node.id}`}>
      <h2>{entry?.title ?? node.type}</h2>
      {entry && <p className="muted small">{entry.description}</p>}
      <label>
        Step name
        <input
          name="step-name"
          value={nameDraft}
          readOnly={readOnly}
          onChange={(event) => setNameDraft(event.target.value)}
          onBlur={commitName}
          onKeyDown={(event) => {
            if (event.key === 'Enter') commitName();
          }}
          aria-invalid={nameError ? true : undefined}
        />
        {nameError && <span className="field-error">{nameError}</span>}
      </label>
      <label>
        Description
        <input
          name="step-description"
          value={node.data.description ?? ''}
          readOnly={readOnly}
          onChange={(event) => {
            const { description: _old, ...rest } = node.data;
            onChange(event.target.value ? { ...rest, description: event.target.value } : rest);
          }}
        />
      </label>
      {fields.map(({ name, field, required }) => (
        <ConfigField
          key={`${node.id}.${name}`}
          name={name}
          field={field}
          required={required}
          value={node.data.config[name]}
          serverError={issues.find((issue) => issue.field?.startsWith(name))?.message}
          completions={completions}
          readOnly={readOnly}
          onValue={(value) => setConfig(name, value)}
        />
      ))}
      <label htmlFor={`${node.id}-when`}>
        Run only when (expression)
        <ExpressionInput
          id={`${node.id}-when`}
          name="step-when"
          value={node.data.when ?? ''}
          completions={completions}
          readOnly={readOnly}
          onText={(text) => {
            const { when: _old, ...rest } = node.data;
            onChange(text ? { ...rest, when: text } : rest);
          }}
        />
      </label>
      <label>
        On error
        <select
          name="step-on-error"
          value={node.data.on_error ?? 'fail'}
          disabled={readOnly}
          onChange={(event) => {
            const { on_error: _old, ...rest } = node.data;
            const value = event.target.value;
            onChange(value === 'continue' ? { ...rest, on_error: 'continue' } : rest);
          }}
        >
          <option value="fail">Stop the run</option>
          <option value="continue">Carry on</option>
        </select>
      </label>
      {general.length > 0 && (
        <ul className="issues" aria-label="Problems">
          {general.map((issue) => (
            <li key={`${issue.code}:${issue.message}`}>{issue.message}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

interface ConfigFieldProps {
  name: string;
  field: FieldSchema;
  required: boolean;
  value: unknown;
  serverError: string | undefined;
  /** What an expression may name here: upstream outputs (and their known fields), trigger, vars. */
  completions: string[];
  readOnly: boolean;
  onValue(value: unknown): void;
}

function ConfigField({
  name,
  field,
  required,
  value,
  serverError,
  completions,
  readOnly,
  onValue,
}: ConfigFieldProps) {
  const kind = kindOf(field);
  const id = useId();
  const [text, setText] = useState(() => display(value, kind));
  const [error, setError] = useState<string | null>(null);
  const missing = required && text.trim() === '' && field.default === undefined;
  const shownError = error ?? (missing ? 'Required.' : (serverError ?? null));
  const label = (
    <span>
      {name}
      {required && field.default === undefined ? ' *' : ''}
    </span>
  );

  function change(next: string) {
    setText(next);
    const parsed = parse(next, kind);
    setError(parsed.error ?? null);
    if (!parsed.error) onValue(parsed.value);
  }

  if (kind === 'boolean') {
    return (
      <label className="check">
        <input
          type="checkbox"
          name={`config.${name}`}
          checked={value === true}
          disabled={readOnly}
          onChange={(event) => onValue(event.target.checked)}
        />
        {label}
        {field.description && <span className="hint">{field.description}</span>}
      </label>
    );
  }
  return (
    <label htmlFor={id}>
      {label}
      {kind === 'enum' ? (
        <select
          name={`config.${name}`}
          value={text}
          disabled={readOnly}
          onChange={(event) => change(event.target.value)}
        >
          <option value="">{field.default !== undefined ? `default (${String(field.default)})` : '—'}</option>
          {field.enum?.map((option) => (
            <option key={String(option)}>{String(option)}</option>
          ))}
        </select>
      ) : kind === 'json' || (kind === 'any' && text.includes('\n')) ? (
        <ExpressionInput
          multiline
          id={id}
          name={`config.${name}`}
          value={text}
          completions={completions}
          readOnly={readOnly}
          onText={change}
          invalid={Boolean(shownError)}
        />
      ) : kind === 'number' ? (
        <input
          id={id}
          name={`config.${name}`}
          inputMode="decimal"
          value={text}
          readOnly={readOnly}
          onChange={(event) => change(event.target.value)}
          aria-invalid={shownError ? true : undefined}
        />
      ) : (
        <ExpressionInput
          id={id}
          name={`config.${name}`}
          value={text}
          completions={completions}
          readOnly={readOnly}
          onText={change}
          invalid={Boolean(shownError)}
        />
      )}
      {field.description && <span className="hint">{field.description}</span>}
      {shownError && <span className="field-error">{shownError}</span>}
    </label>
  );
}

interface ExpressionInputProps {
  id: string;
  name: string;
  value: string;
  completions: string[];
  readOnly: boolean;
  invalid?: boolean;
  /** A textarea (JSON and multi-line values) rather than one line. */
  multiline?: boolean;
  onText(text: string): void;
}

/**
 * The completions for the name being typed before the caret inside an open `{{`: the names that
 * start with it, one path segment deeper at most (`steps.fetch.output.` offers `.body`, `.status`,
 * not every leaf). `from` is where the replaced text starts: the `{{` when the name is all there is
 * inside it (the choice then writes `{{ name }}`), else the name itself (inside `$sum(…)`).
 */
export function completionsFor(
  before: string,
  completions: readonly string[],
): { from: number; whole: boolean; options: string[] } | null {
  const open = before.lastIndexOf('{{');
  if (open < 0 || open < before.lastIndexOf('}}')) return null;
  const inside = before.slice(open + 2);
  const typed = /[A-Za-z_][\w.]*$/.exec(inside)?.[0] ?? '';
  const whole = inside.trim() === typed;
  if (!whole && typed === '') return null;
  const depth = typed.split('.').length;
  const matching = completions.filter((option) => option.startsWith(typed) && option !== typed);
  const options = matching.filter(
    // `steps.x.output` is one choice although three segments long.
    (option) => option.split('.').length <= depth + 1 || /^steps\.[^.]+\.output$/.test(option),
  );
  return { from: whole ? open : before.length - typed.length, whole, options };
}

/** A text field that offers upstream outputs (and their known fields) once `{{` is typed. */
function ExpressionInput({
  id,
  name,
  value,
  completions,
  readOnly,
  invalid,
  multiline,
  onText,
}: ExpressionInputProps) {
  const [caret, setCaret] = useState<number | null>(null);
  const at = caret === null || caret > value.length ? value.length : caret;
  const found = completionsFor(value.slice(0, at), completions);
  const options = found?.options ?? [];
  const track = (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
    setCaret(event.currentTarget.selectionStart);
  const common = {
    id,
    name,
    value,
    readOnly,
    autoComplete: 'off',
    'aria-invalid': invalid ? true : undefined,
    onKeyUp: track,
    onClick: track,
  } as const;
  return (
    <span className="expression">
      {multiline ? (
        <textarea
          {...common}
          rows={4}
          onChange={(event) => {
            track(event);
            onText(event.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          onChange={(event) => {
            track(event);
            onText(event.target.value);
          }}
        />
      )}
      {found && !readOnly && options.length > 0 && (
        <div className="completions" role="listbox" aria-label="Expression completions">
          {options.map((option) => (
            <button
              key={option}
              type="button"
              role="option"
              aria-selected={false}
              onMouseDown={(event) => {
                event.preventDefault();
                const rest = value.slice(at);
                // A `}}` already closing the expression after the caret is kept, not doubled.
                const closed = found.whole ? /^\s*[\w.]*\s*}}/.exec(rest) : null;
                const after = closed ? rest.slice(closed[0].length) : rest;
                const inserted = found.whole ? `{{ ${option} }}` : option;
                setCaret(found.from + inserted.length);
                onText(`${value.slice(0, found.from)}${inserted}${after}`);
              }}
            >
              {option}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}

'use client';

import * as Dialog from '@radix-ui/react-dialog';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '../../lib/trpc/client.tsx';
import type { GraphMeta } from './model.ts';

interface Field {
  name: string;
  type: string;
  description?: string;
}

/** The manual trigger's input_schema fields, when it declares any. */
function inputFields(triggers: GraphMeta['triggers']): Field[] {
  const manual = triggers.find((trigger) => trigger.type === 'manual');
  const schema = manual?.config.input_schema;
  if (!schema || typeof schema !== 'object' || !('properties' in schema)) return [];
  const properties = schema.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties).map(([name, field]) => ({
    name,
    type: field && typeof field === 'object' && 'type' in field ? String(field.type) : 'string',
    ...(field && typeof field === 'object' && 'description' in field
      ? { description: String(field.description) }
      : {}),
  }));
}

export function RunDialog({
  name,
  triggers,
  unpublished,
  onClose,
  onStarted,
}: {
  name: string;
  triggers: GraphMeta['triggers'];
  unpublished: boolean;
  onClose(): void;
  onStarted(runId: string): void;
}) {
  const trpc = useTRPC();
  const fields = inputFields(triggers);
  const [json, setJson] = useState('{}');
  const [error, setError] = useState<string | null>(null);
  const start = useMutation(
    trpc.workflows.run.mutationOptions({
      onSuccess: (result) => onStarted(result.runId),
      onError: (e) => setError(e.message),
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    let input: unknown;
    if (fields.length > 0) {
      const form = new FormData(event.currentTarget);
      input = Object.fromEntries(
        fields.map((field) => {
          const raw = String(form.get(field.name) ?? '');
          return [
            field.name,
            field.type === 'number' || field.type === 'integer'
              ? Number(raw)
              : field.type === 'boolean'
                ? raw === 'on'
                : raw,
          ];
        }),
      );
    } else {
      try {
        input = JSON.parse(json);
      } catch {
        setError('The input must be JSON, e.g. {} or {"name": "Ada"}.');
        return;
      }
    }
    start.mutate({ name, input });
  }

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Run {name}</Dialog.Title>
          <Dialog.Description className="muted small">
            Runs the latest published version.
            {unpublished ? ' Your newest changes are not published yet: publish first to run them.' : ''}
          </Dialog.Description>
          <form className="form" onSubmit={submit}>
            {fields.map((field) => (
              <label key={field.name}>
                {field.name}
                <input
                  name={field.name}
                  type={
                    field.type === 'boolean'
                      ? 'checkbox'
                      : field.type === 'number' || field.type === 'integer'
                        ? 'number'
                        : 'text'
                  }
                />
                {field.description && <span className="hint">{field.description}</span>}
              </label>
            ))}
            {fields.length === 0 && (
              <label>
                Input (JSON)
                <textarea
                  name="input"
                  rows={4}
                  value={json}
                  onChange={(event) => setJson(event.target.value)}
                />
              </label>
            )}
            {error && (
              <p className="error-text" role="alert">
                {error}
              </p>
            )}
            <div className="row">
              <button type="button" className="btn" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="btn primary" disabled={start.isPending}>
                Start run
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

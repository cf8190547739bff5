/** The Pincer side of both benchmarks, as a user would write it, and its import into the database. */
import type { PrismaClient } from '@pincer/db';
import { type PublishedWebhook, publishTriggers, saveWorkflow } from '@pincer/engine';
import type { NodeRegistry } from '@pincer/nodes';
import type { Client } from '@temporalio/client';
import { APPROVAL_LIMIT } from './order.ts';
import { NOOP_STEPS, NOOP_WORKFLOW, WEBHOOK_WORKFLOW } from './shapes.ts';

/** 10 `transform` steps in a row: pure steps the interpreter runs inline, each recorded as a StepRun. */
function noopYaml(): string {
  const steps = Array.from(
    { length: NOOP_STEPS },
    (_, index) => `    - { name: step_${index + 1}, type: transform, value: null }`,
  );
  return `workflow:
  name: ${NOOP_WORKFLOW}
  steps:
${steps.join('\n')}
`;
}

/** webhook → transform → condition → respond, answered when the run is done. */
function orderYaml(): string {
  return `workflow:
  name: ${WEBHOOK_WORKFLOW}
  triggers:
    - { type: webhook, name: order, method: POST, respond: when_done, timeout: 30s }
  steps:
    - name: price
      type: transform
      value:
        customer: "{{ trigger.body.customer }}"
        total: "{{ trigger.body.price * trigger.body.quantity }}"
    - name: approve
      type: condition
      condition: "{{ steps.price.output.total > ${APPROVAL_LIMIT} }}"
    - name: reply
      type: respond
      body:
        customer: "{{ steps.price.output.customer }}"
        total: "{{ steps.price.output.total }}"
        approved: "{{ steps.approve.output.branch = 'true' }}"
`;
}

export interface PincerWorkflows {
  /** The order webhook, with its secret (shown only when it is created). */
  webhook: PublishedWebhook & { secret: string };
}

export async function importWorkflows(
  db: PrismaClient,
  temporal: Client,
  registry: NodeRegistry,
): Promise<PincerWorkflows> {
  for (const source of [noopYaml(), orderYaml()])
    await saveWorkflow(db, { source, catalog: registry, actor: 'bench' });
  const published = await publishTriggers(db, temporal, WEBHOOK_WORKFLOW, 'bench');
  const webhook = published.webhooks[0];
  if (!webhook?.secret) throw new Error(`publishing ${WEBHOOK_WORKFLOW} gave no new webhook with a secret`);
  return { webhook: { ...webhook, secret: webhook.secret } };
}

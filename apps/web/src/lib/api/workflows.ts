import type { PrismaClient } from '@pincer/db';
import {
  findVersion,
  type PublishedSchedule,
  type PublishedWebhook,
  publishTriggers,
  type SavedWorkflow,
  saveWorkflow,
} from '@pincer/engine';
import { WorkflowDefinitionSchema } from '@pincer/workflow';
import { getConfig } from '../config.ts';
import { getRegistry, getTemporal } from '../services.ts';
import type { Caller } from './auth.ts';
import { ApiError } from './errors.ts';

/** A workflow's definition at one version (the latest by default) and its version list. */
export async function workflowDetail(db: PrismaClient, name: string, version?: number) {
  const found = await findVersion(db, name, version);
  const versions = await db.workflowVersion.findMany({
    where: { workflowId: found.workflow.id },
    orderBy: { version: 'desc' },
    select: { version: true, createdAt: true },
  });
  return {
    name: found.workflow.name,
    description: found.workflow.description,
    tags: found.workflow.tags,
    version: found.version.version,
    // Stored compiled, so this only gives the JSON its type.
    definition: WorkflowDefinitionSchema.parse(found.version.definition),
    versions,
  };
}

/** Stores a parsed definition as the workflow's next version; `expectedName` guards PUT. */
export async function storeDefinition(
  db: PrismaClient,
  caller: Caller,
  definition: unknown,
  expectedName?: string,
): Promise<
  SavedWorkflow & {
    triggers: { webhooks: (PublishedWebhook & { url: string })[]; schedules: PublishedSchedule[] };
  }
> {
  if (expectedName !== undefined) {
    const name =
      definition !== null && typeof definition === 'object' && 'name' in definition
        ? definition.name
        : undefined;
    if (name !== expectedName) {
      const found = typeof name === 'string' ? `"${name}"` : 'no name';
      throw new ApiError(
        400,
        'name_mismatch',
        `The definition has ${found} but the URL names "${expectedName}": they must match (to rename, import under the new name).`,
        { issues: [{ code: 'name_mismatch', field: 'name', message: `expected name "${expectedName}"` }] },
      );
    }
  }
  const saved = await saveWorkflow(db, {
    source: definition,
    catalog: await getRegistry(),
    actor: caller.actor,
    userId: caller.user.id,
  });
  // Webhooks and schedules follow the latest version.
  const published = await publishTriggers(db, await getTemporal(), saved.name, caller.actor);
  const base = getConfig().server.publicUrl;
  return {
    ...saved,
    triggers: {
      webhooks: published.webhooks.map((hook) => ({ ...hook, url: `${base}/api/v1/hooks/${hook.id}` })),
      schedules: published.schedules,
    },
  };
}

/** The answer to an import: the saved version and its published triggers. */
export function savedAnswer(saved: Awaited<ReturnType<typeof storeDefinition>>) {
  const { name, version, created, triggers } = saved;
  return { name, version, created, triggers };
}

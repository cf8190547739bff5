import type { PrismaClient } from '@pincer/db';
import { publishWorkflow } from '@pincer/engine';
import { getConfig } from '../config.ts';
import { getRegistry, getTemporal } from '../services.ts';
import type { Caller } from './auth.ts';
import { ApiError } from './errors.ts';

/** Where a webhook is called: the public URL, as imports and secret rotations answer it. */
export function hookUrl(id: string): string {
  return `${getConfig().server.publicUrl}/api/v1/hooks/${id}`;
}

/** Publishes an imported definition; `expectedName` (PUT) is the name the URL gives. */
export async function importDefinition(
  db: PrismaClient,
  caller: Caller,
  definition: unknown,
  expectedName?: string,
) {
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
  const { name, version, created, triggers } = await publishWorkflow(db, await getTemporal(), {
    source: definition,
    catalog: await getRegistry(),
    actor: caller.actor,
    userId: caller.user.id,
  });
  const webhooks = triggers.webhooks.map((hook) => ({ ...hook, url: hookUrl(hook.id) }));
  return { name, version, created, triggers: { webhooks, schedules: triggers.schedules } };
}

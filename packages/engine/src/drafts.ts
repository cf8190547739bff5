/**
 * A workflow's life in the studio and over the API: a draft that may not compile yet, published
 * as immutable versions (the one save-and-publish path, `publishWorkflow`), rolled back by
 * publishing an earlier version again, archived.
 */
import type { Prisma, PrismaClient } from '@pincer/db';
import { TRIGGER_TYPES } from '@pincer/nodes/kinds';
import {
  CompileError,
  type CompileIssue,
  compile,
  definitionToGraph,
  type NodeCatalog,
  type WorkflowDefinition,
  WorkflowDefinitionSchema,
  type WorkflowGraph,
} from '@pincer/workflow';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';
import { type PublishedTriggers, publishTriggers } from './triggers.ts';
import { checksumOf, findVersion, type SavedWorkflow, saveWorkflow } from './workflows.ts';

export interface Editor {
  /** As runs and audit events record it. */
  actor: string;
  userId?: string;
}

export type PublishedWorkflow = SavedWorkflow & { triggers: PublishedTriggers };

/**
 * Stores a definition as the workflow's next version (nothing new when it equals the latest) and
 * points its webhooks and schedules at it: every publish (import, studio, rollback) goes through here.
 */
export async function publishWorkflow(
  db: PrismaClient,
  temporal: Client,
  input: Editor & { source: unknown; catalog: NodeCatalog; rolledBackFrom?: number },
): Promise<PublishedWorkflow> {
  const saved = await saveWorkflow(db, {
    source: input.source,
    catalog: input.catalog,
    actor: input.actor,
    ...(input.userId ? { userId: input.userId } : {}),
  });
  const triggers = await publishTriggers(db, temporal, saved.name, input.actor);
  await audit(db, {
    action: input.rolledBackFrom === undefined ? 'workflow.published' : 'workflow.rolled_back',
    actor: input.actor,
    targetId: saved.id,
    data: {
      name: saved.name,
      version: saved.version,
      ...(input.rolledBackFrom === undefined ? {} : { from: input.rolledBackFrom }),
    },
  });
  return { ...saved, triggers };
}

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

async function activeWorkflow(db: PrismaClient, name: string) {
  const workflow = await db.workflow.findUnique({ where: { name } });
  if (!workflow || workflow.archivedAt)
    throw new EngineError('workflow_not_found', `No workflow named "${name}".`);
  return workflow;
}

/** Compile problems as a list (empty when the definition compiles). */
export function issuesOf(definition: unknown, catalog: NodeCatalog): CompileIssue[] {
  try {
    compile(definition, catalog);
    return [];
  } catch (error) {
    if (error instanceof CompileError) return error.issues;
    throw error;
  }
}

/** A draft as stored: a definition's shape, though it may not compile yet (or have no steps). */
const DraftShape = z.object({
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  triggers: z.array(z.looseObject({ type: z.enum(TRIGGER_TYPES) })).optional(),
  steps: z.array(z.looseObject({ name: z.string(), type: z.string() })),
});

/** A stored draft (or a definition typed by hand) as a graph for the canvas. */
export function graphOf(definition: unknown, fallbackName: string): WorkflowGraph {
  const parsed = DraftShape.safeParse(definition);
  if (parsed.success) return definitionToGraph(parsed.data);
  return { name: fallbackName, triggers: [], nodes: [], edges: [] };
}

/** Whether the draft differs from the latest published version. */
async function draftState(db: PrismaClient, catalog: NodeCatalog, workflowId: string, draft: unknown) {
  const latest = await db.workflowVersion.findFirst({ where: { workflowId }, orderBy: { version: 'desc' } });
  if (!latest) return { latestVersion: null, unpublished: true };
  try {
    const compiled = compile(draft, catalog);
    return {
      latestVersion: latest.version,
      unpublished: checksumOf(compiled.definition) !== latest.checksum,
    };
  } catch {
    return { latestVersion: latest.version, unpublished: true };
  }
}

/** Creates a workflow with an empty draft (or brings an archived one of that name back). */
export async function createWorkflow(
  db: PrismaClient,
  input: Editor & { name: string; description?: string },
): Promise<{ name: string }> {
  const existing = await db.workflow.findUnique({ where: { name: input.name } });
  if (existing && !existing.archivedAt)
    throw new EngineError('workflow_exists', `A workflow named "${input.name}" exists: pick another name.`);
  const draft = {
    name: input.name,
    ...(input.description ? { description: input.description } : {}),
    steps: [],
  };
  const workflow = await db.workflow.upsert({
    where: { name: input.name },
    create: {
      name: input.name,
      description: input.description ?? null,
      definition: draft,
      ...(input.userId ? { createdById: input.userId } : {}),
    },
    update: { archivedAt: null, definition: draft, description: input.description ?? null },
  });
  await audit(db, {
    action: 'workflow.created',
    actor: input.actor,
    targetId: workflow.id,
    data: { name: input.name },
  });
  return { name: workflow.name };
}

/** The draft as a graph, its compile problems and how it stands against the versions. */
export async function getDraft(db: PrismaClient, catalog: NodeCatalog, name: string) {
  const workflow = await activeWorkflow(db, name);
  const versions = await db.workflowVersion.findMany({
    where: { workflowId: workflow.id },
    orderBy: { version: 'desc' },
    select: { version: true, createdAt: true, createdBy: { select: { email: true } } },
  });
  return {
    name: workflow.name,
    graph: graphOf(workflow.definition, workflow.name),
    issues: issuesOf(workflow.definition, catalog),
    ...(await draftState(db, catalog, workflow.id, workflow.definition)),
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: v.createdAt,
      by: v.createdBy?.email ?? null,
    })),
    updatedAt: workflow.updatedAt,
  };
}

/** Stores the draft (which need not compile) without publishing it. */
export async function saveDraft(
  db: PrismaClient,
  catalog: NodeCatalog,
  input: Editor & { name: string; definition: WorkflowDefinition },
) {
  const workflow = await activeWorkflow(db, input.name);
  const { definition } = input;
  if (definition.name !== input.name) {
    throw new EngineError(
      'name_mismatch',
      `The workflow is "${input.name}"; to rename it, create a new workflow and paste the steps.`,
    );
  }
  await db.workflow.update({
    where: { id: workflow.id },
    data: {
      definition: JSON.parse(JSON.stringify(definition)) as Prisma.InputJsonValue,
      description: definition.description ?? null,
      tags: definition.tags ?? [],
    },
  });
  await audit(db, {
    action: 'workflow.draft_saved',
    actor: input.actor,
    targetId: workflow.id,
    data: { name: input.name, steps: definition.steps.length },
  });
  return {
    issues: issuesOf(definition, catalog),
    ...(await draftState(db, catalog, workflow.id, definition)),
  };
}

/** Freezes the saved draft into a new version and points the triggers at it. */
export async function publishDraft(
  db: PrismaClient,
  temporal: Client,
  catalog: NodeCatalog,
  input: Editor & { name: string },
): Promise<PublishedWorkflow> {
  const workflow = await activeWorkflow(db, input.name);
  return publishWorkflow(db, temporal, { ...input, source: workflow.definition, catalog });
}

/** Publishes an earlier version's definition again, as the newest version (and the draft). */
export async function rollbackWorkflow(
  db: PrismaClient,
  temporal: Client,
  catalog: NodeCatalog,
  input: Editor & { name: string; version: number },
): Promise<PublishedWorkflow> {
  const found = await findVersion(db, input.name, input.version);
  return publishWorkflow(db, temporal, {
    actor: input.actor,
    ...(input.userId ? { userId: input.userId } : {}),
    source: found.version.definition,
    catalog,
    rolledBackFrom: input.version,
  });
}

/**
 * The dotted paths into a JSON value, 4 levels deep and 60 paths at most; a list's paths are its
 * first item's (JSONata maps `items.price` over every item).
 */
export function pathsOf(value: unknown, prefix = '', depth = 0, into: string[] = []): string[] {
  if (depth >= 4 || into.length >= 60) return into;
  const item = Array.isArray(value)
    ? value.find((entry) => entry !== null && typeof entry === 'object')
    : value;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return into;
  for (const [key, child] of Object.entries(item)) {
    if (!/^[A-Za-z_]\w*$/.test(key) || into.length >= 60) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    into.push(path);
    pathsOf(child, path, depth + 1, into);
  }
  return into;
}

/**
 * The fields each step's output had in a workflow's latest runs (`body.items.price`...), for
 * expression completion: the studio cannot know an output's shape before a step has run.
 */
export async function outputPaths(db: PrismaClient, name: string): Promise<Record<string, string[]>> {
  const workflow = await db.workflow.findUnique({ where: { name }, select: { id: true } });
  if (!workflow) return {};
  const steps = await db.stepRun.findMany({
    where: { run: { workflowId: workflow.id }, status: 'succeeded' },
    orderBy: { createdAt: 'desc' },
    take: 200,
    select: { stepName: true, output: true },
  });
  const paths: Record<string, string[]> = {};
  for (const step of steps) paths[step.stepName] ??= pathsOf(step.output);
  return paths;
}

import { createHash } from 'node:crypto';
import type { Prisma, PrismaClient } from '@pincer/db';
import {
  type CompiledWorkflow,
  compile,
  type NodeCatalog,
  parseWorkflowYaml,
  toWorkflowYaml,
  type WorkflowDefinition,
} from '@pincer/workflow';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';

export interface SavedWorkflow {
  id: string;
  name: string;
  version: number;
  versionId: string;
  /** False when the definition equals the latest version: nothing new was stored. */
  created: boolean;
}

/** JSON with sorted keys, so equal definitions hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function checksumOf(definition: WorkflowDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** Parses YAML (or takes a parsed definition) and compiles it; throws CompileError. */
export function prepareDefinition(source: string | unknown, catalog: NodeCatalog): CompiledWorkflow {
  return compile(typeof source === 'string' ? parseWorkflowYaml(source) : source, catalog);
}

/** Prisma's JSON input: plain JSON values only (drops undefined, dates become strings). */
function asJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value));
}

/**
 * Stores a definition as the workflow's next immutable version (creating the workflow on first
 * save). Saving the same definition again returns the existing latest version.
 */
export async function saveWorkflow(
  db: PrismaClient,
  input: { source: string | unknown; catalog: NodeCatalog; actor: string; userId?: string },
): Promise<SavedWorkflow> {
  const { definition, plan } = prepareDefinition(input.source, input.catalog);
  const checksum = checksumOf(definition);
  return db.$transaction(async (tx) => {
    const workflow = await tx.workflow.upsert({
      where: { name: definition.name },
      create: {
        name: definition.name,
        description: definition.description ?? null,
        tags: definition.tags ?? [],
        definition: asJson(definition),
        ...(input.userId ? { createdById: input.userId } : {}),
      },
      update: {
        description: definition.description ?? null,
        tags: definition.tags ?? [],
        definition: asJson(definition),
        archivedAt: null,
      },
    });
    // Serialise concurrent saves of one workflow so version numbers never collide.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`workflow:${workflow.id}`}))`;
    const latest = await tx.workflowVersion.findFirst({
      where: { workflowId: workflow.id },
      orderBy: { version: 'desc' },
    });
    if (latest && latest.checksum === checksum) {
      return {
        id: workflow.id,
        name: workflow.name,
        version: latest.version,
        versionId: latest.id,
        created: false,
      };
    }
    const version = await tx.workflowVersion.create({
      data: {
        workflowId: workflow.id,
        version: (latest?.version ?? 0) + 1,
        definition: asJson(definition),
        plan: asJson(plan),
        checksum,
        ...(input.userId ? { createdById: input.userId } : {}),
      },
    });
    await audit(tx, {
      actor: input.actor,
      action: 'workflow.version.created',
      targetId: workflow.id,
      data: { name: workflow.name, version: version.version },
    });
    return {
      id: workflow.id,
      name: workflow.name,
      version: version.version,
      versionId: version.id,
      created: true,
    };
  });
}

/** A workflow version by its ids only: what a run start needs (the plan is cached by its id). */
export interface VersionRef {
  workflowId: string;
  workflow: string;
  versionId: string;
  version: number;
}

/**
 * The version a run of `name` starts on (the latest unless `version` is given), in one lean query
 * on the hot path: no definition or plan read. Errors as `findVersion`.
 */
export async function findVersionRef(db: PrismaClient, name: string, version?: number): Promise<VersionRef> {
  const [found] = await db.$queryRawUnsafe<VersionRef[]>(
    `SELECT w.id::text AS "workflowId", w.name AS workflow, v.id::text AS "versionId", v.version
       FROM workflows AS w JOIN workflow_versions AS v ON v.workflow_id = w.id
      WHERE w.name = $1 AND w.archived_at IS NULL AND ($2::int IS NULL OR v.version = $2::int)
      ORDER BY v.version DESC
      LIMIT 1`,
    name,
    version ?? null,
  );
  if (found) return found;
  // Explains the miss with the same errors as a full lookup.
  const full = await findVersion(db, name, version);
  return {
    workflowId: full.workflow.id,
    workflow: full.workflow.name,
    versionId: full.version.id,
    version: full.version.version,
  };
}

export async function findVersion(db: PrismaClient, name: string, version?: number) {
  // One query on the hot path (every run starts here); the second only to explain a miss.
  const found = await db.workflowVersion.findFirst({
    where: { workflow: { name, archivedAt: null }, ...(version !== undefined ? { version } : {}) },
    orderBy: { version: 'desc' },
    include: { workflow: true },
  });
  if (found) return { workflow: found.workflow, version: found };
  const workflow = await db.workflow.findUnique({ where: { name } });
  if (!workflow || workflow.archivedAt) {
    throw new EngineError(
      'workflow_not_found',
      `No workflow named "${name}": import it first (pincer workflow import FILE).`,
    );
  }
  throw new EngineError(
    'version_not_found',
    version !== undefined
      ? `Workflow "${name}" has no version ${version}.`
      : `Workflow "${name}" has no version yet.`,
  );
}

export async function exportWorkflowYaml(
  db: PrismaClient,
  catalog: NodeCatalog,
  name: string,
  version?: number,
): Promise<string> {
  const found = await findVersion(db, name, version);
  return toWorkflowYaml(compile(found.version.definition, catalog).definition);
}

export interface WorkflowFilter {
  /** Part of the name or description, any case. */
  search?: string;
  tag?: string;
  /** By name (the default), or the most recently changed first. */
  order?: 'name' | 'updated';
}

/** The workflows that are not archived, with their latest version and last run. */
export async function listWorkflows(db: PrismaClient, filter: WorkflowFilter = {}) {
  const search = filter.search?.trim();
  const workflows = await db.workflow.findMany({
    where: {
      archivedAt: null,
      ...(search
        ? {
            OR: [
              { name: { contains: search, mode: 'insensitive' } },
              { description: { contains: search, mode: 'insensitive' } },
            ],
          }
        : {}),
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
    },
    orderBy: filter.order === 'updated' ? { updatedAt: 'desc' } : { name: 'asc' },
    include: {
      versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, createdAt: true } },
      runs: { orderBy: { createdAt: 'desc' }, take: 1, select: { id: true, status: true, createdAt: true } },
    },
  });
  return workflows.map((workflow) => ({
    id: workflow.id,
    name: workflow.name,
    description: workflow.description,
    tags: workflow.tags,
    latestVersion: workflow.versions[0]?.version ?? null,
    lastRun: workflow.runs[0] ?? null,
    updatedAt: workflow.updatedAt,
  }));
}

/** Every tag the workflows that are not archived carry, sorted. */
export async function workflowTags(db: PrismaClient): Promise<string[]> {
  const rows = await db.workflow.findMany({ where: { archivedAt: null }, select: { tags: true } });
  return [...new Set(rows.flatMap((row) => row.tags))].sort();
}

export async function archiveWorkflow(db: PrismaClient, name: string, actor: string): Promise<void> {
  const workflow = await db.workflow.findUnique({ where: { name } });
  if (!workflow || workflow.archivedAt)
    throw new EngineError('workflow_not_found', `No workflow named "${name}".`);
  await db.workflow.update({ where: { id: workflow.id }, data: { archivedAt: new Date() } });
  await audit(db, {
    actor,
    action: 'workflow.archived',
    targetId: workflow.id,
    data: { name },
  });
}

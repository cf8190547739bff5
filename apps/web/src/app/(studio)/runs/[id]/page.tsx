import { compile, definitionToGraph, type WorkflowGraph } from '@pincer/workflow';
import type { Metadata } from 'next';
import { getDb, getRegistry } from '../../../../lib/services.ts';
import { RunDetail } from './run-detail.tsx';

export const metadata: Metadata = { title: 'Run' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The graph of the version the run ran (not the draft's, which may have changed since). */
async function graphOfRun(id: string): Promise<WorkflowGraph | null> {
  if (!UUID.test(id)) return null;
  const db = await getDb();
  const run = await db.run.findUnique({
    where: { id },
    select: { workflowVersion: { select: { definition: true } } },
  });
  if (!run) return null;
  try {
    return definitionToGraph(compile(run.workflowVersion.definition, await getRegistry()).definition);
  } catch {
    // A version whose node types are gone (a removed plugin): the page shows the steps without a graph.
    return null;
  }
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunDetail id={id} graph={await graphOfRun(id)} />;
}

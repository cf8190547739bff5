'use client';

import { useQuery } from '@tanstack/react-query';
import { Background, Controls, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import { useMemo } from 'react';
import { useTRPC } from '../../lib/trpc/client.tsx';
import {
  type CompileIssue,
  FIT_VIEW_PLAIN,
  type LiveRun,
  type StepNode,
  stepStatesOf,
  toFlow,
  type WorkflowGraph,
} from './model.ts';
import { OverlayContext, StepNodeComponent } from './step-node.tsx';

const NODE_TYPES = { step: StepNodeComponent };
const NO_ISSUES = new Map<string, CompileIssue[]>();

/**
 * A run on the graph of the version it ran: each step's status and duration on its node, read-only.
 * Clicking a step opens its row below (input, output, logs).
 */
export function RunGraph({ graph, run }: { graph: WorkflowGraph; run: Pick<LiveRun, 'steps'> }) {
  const trpc = useTRPC();
  const catalog = useQuery(
    trpc.nodes.catalog.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }),
  );
  const flow = useMemo(() => toFlow(graph), [graph]);
  const steps = useMemo(() => stepStatesOf(run), [run]);
  const overlay = useMemo(
    () => ({
      issues: NO_ISSUES,
      steps,
      catalog: new Map((catalog.data ?? []).map((entry) => [entry.type, entry])),
    }),
    [steps, catalog.data],
  );
  return (
    <OverlayContext.Provider value={overlay}>
      <figure className="run-graph" aria-label="The run on its workflow graph">
        <ReactFlowProvider>
          <ReactFlow<StepNode>
            nodes={flow.nodes}
            edges={flow.edges}
            nodeTypes={NODE_TYPES}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            deleteKeyCode={null}
            onNodeClick={(_event, node) => openStepRow(node.id)}
            fitView
            fitViewOptions={FIT_VIEW_PLAIN}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </ReactFlowProvider>
      </figure>
    </OverlayContext.Provider>
  );
}

function openStepRow(step: string) {
  const row = document.querySelector<HTMLElement>(`.step-row[data-step="${CSS.escape(step)}"]`);
  if (!row) return;
  const details = row.querySelector('details');
  if (details) details.open = true;
  row.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

'use client';

import { Handle, type NodeProps, Position } from '@xyflow/react';
import { createContext, memo, useContext } from 'react';
import type { CatalogEntry, CompileIssue, StepNode, StepRunState } from './model.ts';
import { NodeIcon } from './node-icon.tsx';
import { categoryColor } from './node-look.ts';

/** What the canvas overlays on nodes without touching the graph: compile issues and run state. */
export interface CanvasOverlay {
  issues: ReadonlyMap<string, CompileIssue[]>;
  steps: ReadonlyMap<string, StepRunState>;
  catalog: ReadonlyMap<string, CatalogEntry>;
}

export const OverlayContext = createContext<CanvasOverlay>({
  issues: new Map(),
  steps: new Map(),
  catalog: new Map(),
});

const PORT_TOP = 12;
const PORT_GAP = 18;

/**
 * The ports of a node whose outputs follow its config (a switch: one per case, then `default`),
 * as the compiler computes them; cases without a name yet have no port.
 */
export function dynamicPorts(config: Record<string, unknown>): string[] {
  const cases = Array.isArray(config.cases) ? config.cases : [];
  const names = cases.flatMap((item: unknown) =>
    item !== null && typeof item === 'object' && 'name' in item && typeof item.name === 'string' && item.name
      ? [item.name]
      : [],
  );
  return ['main', ...new Set(names), 'default'];
}

function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const overlay = useContext(OverlayContext);
  const issues = overlay.issues.get(id) ?? [];
  const run = overlay.steps.get(id);
  const entry = overlay.catalog.get(data.stepType);
  const outputs =
    entry?.outputs === 'dynamic' ? dynamicPorts(data.step.config) : (entry?.outputs ?? ['main']);
  const extraPorts = outputs.filter((port) => port !== 'main');
  const accent = categoryColor(entry?.category);
  return (
    <div
      className={`step-node${selected ? ' selected' : ''}${issues.length > 0 ? ' invalid' : ''}`}
      data-step={id}
      data-status={run?.status ?? 'idle'}
      data-category={entry?.category}
      title={issues.map((issue) => issue.message).join('\n') || undefined}
      style={{
        borderLeftColor: accent,
        ...(extraPorts.length > 2 ? { minHeight: PORT_TOP + extraPorts.length * PORT_GAP } : {}),
      }}
    >
      <Handle type="target" position={Position.Top} />
      <NodeIcon type={data.stepType} category={entry?.category} />
      <div className="step-node-text">
        <span className="step-node-name">{id}</span>
        <span className="step-node-type">{entry?.title ?? data.stepType}</span>
      </div>
      {run && (
        <span className="step-node-run" data-testid="step-run">
          <span className={`dot ${run.status}`} role="img" aria-label={run.status} />
          {run.duration && <span className="step-node-duration">{run.duration}</span>}
        </span>
      )}
      {issues.length > 0 && (
        <div className="step-node-issue" role="note">
          {issues[0]?.message}
          {issues.length > 1 ? ` (+${issues.length - 1})` : ''}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} id="main" />
      {extraPorts.map((port, index) => (
        <Handle
          key={port}
          type="source"
          position={Position.Right}
          id={port}
          style={{ top: PORT_TOP + index * PORT_GAP }}
          title={port}
          className={`port-${port}`}
        >
          <span className="port-label">{port}</span>
        </Handle>
      ))}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);

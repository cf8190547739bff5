'use client';

import { Handle, type NodeProps, Position } from '@xyflow/react';
import { createContext, memo, useContext } from 'react';
import type { CatalogEntry, CompileIssue, StepNode } from './model.ts';

/** What the canvas overlays on nodes without touching the graph: compile issues and live run state. */
export interface CanvasOverlay {
  issues: ReadonlyMap<string, CompileIssue[]>;
  statuses: ReadonlyMap<string, string>;
  catalog: ReadonlyMap<string, CatalogEntry>;
}

export const OverlayContext = createContext<CanvasOverlay>({
  issues: new Map(),
  statuses: new Map(),
  catalog: new Map(),
});

const PORT_TOP = 20;
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
  const status = overlay.statuses.get(id);
  const entry = overlay.catalog.get(data.stepType);
  const outputs =
    entry?.outputs === 'dynamic' ? dynamicPorts(data.step.config) : (entry?.outputs ?? ['main']);
  const extraPorts = outputs.filter((port) => port !== 'main');
  return (
    <div
      className={`step-node${selected ? ' selected' : ''}${issues.length > 0 ? ' invalid' : ''}`}
      data-step={id}
      data-status={status ?? 'idle'}
      title={issues.map((issue) => issue.message).join('\n') || undefined}
      style={extraPorts.length > 2 ? { minHeight: PORT_TOP + extraPorts.length * PORT_GAP } : undefined}
    >
      <Handle type="target" position={Position.Top} />
      <div className="step-node-head">
        <span className="step-node-name">{id}</span>
        {status && <span className={`dot ${status}`} role="img" aria-label={status} />}
      </div>
      <div className="step-node-type">{entry?.title ?? data.stepType}</div>
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

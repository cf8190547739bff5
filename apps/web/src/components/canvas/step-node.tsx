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

function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const overlay = useContext(OverlayContext);
  const issues = overlay.issues.get(id) ?? [];
  const status = overlay.statuses.get(id);
  const entry = overlay.catalog.get(data.stepType);
  const outputs = entry && entry.outputs !== 'dynamic' ? entry.outputs : ['main'];
  const extraPorts = outputs.filter((port) => port !== 'main');
  return (
    <div
      className={`step-node${selected ? ' selected' : ''}${issues.length > 0 ? ' invalid' : ''}`}
      data-step={id}
      data-status={status ?? 'idle'}
      title={issues.map((issue) => issue.message).join('\n') || undefined}
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
          style={{ top: 20 + index * 18 }}
          title={port}
          className={`port-${port}`}
        />
      ))}
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);

import { describe, expect, it } from 'vitest';
import type { NodeContext } from '../src/define.ts';
import { NodeError } from '../src/errors.ts';
import { llmChat } from '../src/nodes/llm-chat.ts';
import { splitIntoChunks } from '../src/nodes/llm-summarize.ts';

function contextWithoutModel(): NodeContext {
  return {
    runId: 'run-1',
    stepName: 'reply',
    attempt: 1,
    timeoutMs: 1000,
    signal: new AbortController().signal,
    heartbeat() {},
    log() {},
    secret: async () => '',
    settings: { allowPrivateHosts: [] },
    services: {},
  };
}

describe('llm nodes', () => {
  it('say how to enable the model when the worker has none', async () => {
    const error = await llmChat
      .run?.(llmChat.config.parse({ prompt: 'hi' }), contextWithoutModel())
      .catch((e) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ code: 'llm_unavailable', retryable: false });
    expect(error.message).toContain('worker.capabilities');
    expect(error.message).toContain('llm');
  });

  it('cut long text at paragraph and sentence ends, never beyond the chunk size', () => {
    const paragraph = 'One sentence here. Another one follows! And a third? ';
    const text = `${paragraph.repeat(20)}\n\n${paragraph.repeat(20)}`;
    const chunks = splitIntoChunks(text, 500);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(500);
      expect(chunk).toMatch(/[.!?]$/);
    }
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(text.trim().replace(/\s+/g, ' '));
    expect(splitIntoChunks('short', 500)).toEqual(['short']);
  });
});

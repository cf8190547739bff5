import { type InboundEvent, InboundEventSchema } from '@pincer/channels';
import { CONVERSATION_WORKFLOW, conversationWorkflowId, inboundSignal } from '@pincer/channels/workflow';
import type { Client } from '@temporalio/client';

/** The task queue the conversation workflows run on. */
const CONVERSATION_QUEUE = 'pincer-core';

/**
 * Hands an inbound event to its conversation: signal-with-start, so the first message of a chat
 * starts the workflow and later ones signal it. Resolves once Temporal has it durably; the
 * conversation drops redeliveries by the platform message id.
 */
export function temporalSink(client: Client) {
  return async (event: InboundEvent): Promise<void> => {
    const parsed = InboundEventSchema.parse(event);
    const sessionId = parsed.kind === 'message' ? parsed.message.session_id : parsed.action.session_id;
    await client.workflow.signalWithStart(CONVERSATION_WORKFLOW, {
      workflowId: conversationWorkflowId(sessionId),
      taskQueue: CONVERSATION_QUEUE,
      args: [{ sessionId }],
      signal: inboundSignal,
      signalArgs: [parsed],
    });
  };
}

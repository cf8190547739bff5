/**
 * One workflow per chat (and thread): every inbound message and button press arrives by signal
 * (signal-with-start from the gateway), is handled once (deduped by platform message id), and is
 * answered through the outbox activity. Runs it starts are children that report back by signal.
 * Deterministic: every side effect is an activity.
 */
import type { InboundAction, InboundEvent, InboundMessage, Sender } from '@pincer/channels';
import { COMMAND_HELP, eventKey, inboundSignal, parseCommand } from '@pincer/channels/workflow';
import type { ChatDelivery } from '@pincer/nodes';
import {
  approveSignal,
  INTERPRETER_WORKFLOW,
  type RunEvent,
  runEventSignal,
  runWorkflowId,
  WATCHER_MEMO,
} from '@pincer/workflow/runtime';
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ChatAccess,
  ChatActivities,
  ChatWorkflow,
  StoredAttachments,
} from '../activities/chat-contract.ts';

const chat = proxyActivities<ChatActivities>({
  taskQueue: 'pincer-core',
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

/** The outbox: retried until delivered (rate limits wait as long as the platform says). */
const outbox = proxyActivities<ChatActivities>({
  taskQueue: 'pincer-messaging',
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [
      'chat_refused',
      'chat_rejected',
      'chat_message_invalid',
      'chat_platform_not_configured',
      'chat_file_missing',
      'chat_file_empty',
    ],
  },
});

/** Copies inbound files from the platform (on the messaging queue, where the tokens are). */
const files = proxyActivities<ChatActivities>({
  taskQueue: 'pincer-messaging',
  startToCloseTimeout: '5 minutes',
  retry: {
    maximumAttempts: 8,
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['chat_files_unavailable'],
  },
});

const llm = proxyActivities<ChatActivities>({
  taskQueue: 'pincer-llm',
  startToCloseTimeout: '3 minutes',
  retry: { maximumAttempts: 2, nonRetryableErrorTypes: ['llm_unavailable'] },
});

type Target = Omit<ChatDelivery, 'text' | 'files' | 'buttons'>;

interface PendingApproval {
  n: number;
  kind: 'step' | 'start';
  runId?: string;
  step?: string;
  workflow: string;
  input?: unknown;
  requester?: Sender;
  /** Only these Pincer users may decide the step: not a chat sender (see ApprovalDecision). */
  approvers?: string[];
}

export interface ConversationState {
  sessionId: string;
  target?: Target;
  /** Keys of the last events handled: redeliveries of these are ignored. */
  seen: string[];
  recent: { role: 'user' | 'assistant'; text: string }[];
  summary: string;
  outboxSeq: number;
  nextApproval: number;
  approvals: PendingApproval[];
  runs: { runId: string; workflow: string }[];
  /** Events that arrived but were not handled before continuing as new. */
  queue: Item[];
}

type Item = { inbound: InboundEvent } | { run: RunEvent };

export interface ConversationInput {
  sessionId: string;
  state?: ConversationState;
}

const SEEN_LIMIT = 2000;
const RECENT_LIMIT = 12;
const EVENTS_PER_EXECUTION = 300;
const RESULT_TEXT_LIMIT = 3500;

export async function conversation(input: ConversationInput): Promise<void> {
  const state: ConversationState = input.state ?? {
    sessionId: input.sessionId,
    seen: [],
    recent: [],
    summary: '',
    outboxSeq: 0,
    nextApproval: 1,
    approvals: [],
    runs: [],
    queue: [],
  };
  const seen = new Set(state.seen);
  const queue: Item[] = [...state.queue];

  setHandler(inboundSignal, (event) => {
    const key = eventKey(event);
    if (seen.has(key)) return;
    seen.add(key);
    state.seen.push(key);
    if (state.seen.length > SEEN_LIMIT) {
      const dropped = state.seen.splice(0, state.seen.length - SEEN_LIMIT);
      for (const old of dropped) seen.delete(old);
    }
    queue.push({ inbound: event });
  });
  setHandler(runEventSignal, (event) => {
    queue.push({ run: event });
  });

  let handled = 0;
  for (;;) {
    await condition(() => queue.length > 0);
    const item = queue.shift();
    if (!item) continue;
    if ('inbound' in item) {
      if (item.inbound.kind === 'message') await onMessage(item.inbound.message);
      else await onAction(item.inbound.action);
    } else {
      await onRunEvent(item.run);
    }
    handled += 1;
    if ((handled >= EVENTS_PER_EXECUTION || workflowInfo().continueAsNewSuggested) && queue.length === 0) {
      await continueAsNew<typeof conversation>({ sessionId: state.sessionId, state: { ...state, queue } });
    }
  }

  // --- replies ------------------------------------------------------------------------------

  async function reply(text: string, extra: Partial<ChatDelivery> = {}, to?: Target): Promise<void> {
    const target = to ?? state.target;
    if (!target) return;
    state.outboxSeq += 1;
    const key = `${workflowInfo().workflowId}:${state.outboxSeq}`;
    try {
      await outbox.deliver({ key, sessionId: state.sessionId, message: { ...target, text, ...extra } });
    } catch (error) {
      // Recorded as chat.delivery_failed by the activity; the conversation goes on.
      if (!(error instanceof ActivityFailure)) throw error;
    }
    remember('assistant', text);
  }

  function remember(role: 'user' | 'assistant', text: string): void {
    state.recent.push({ role, text: text.slice(0, 2000) });
  }

  async function foldRecent(): Promise<void> {
    if (state.recent.length <= RECENT_LIMIT) return;
    const older = state.recent.splice(0, state.recent.length - RECENT_LIMIT / 2);
    try {
      state.summary = await llm.summarize({ summary: state.summary, messages: older });
    } catch {
      state.summary =
        `${state.summary}\n${older.map((entry) => `${entry.role}: ${entry.text}`).join('\n')}`.slice(-2000);
    }
  }

  // --- inbound ------------------------------------------------------------------------------

  async function onMessage(received: InboundMessage): Promise<void> {
    let message = received;
    const target: Target = {
      platform: message.sender.platform,
      chat_id: message.platform_ids.chat_id,
      ...(message.platform_ids.thread_id ? { thread_id: message.platform_ids.thread_id } : {}),
      ...(message.platform_ids.reply_to ? { reply_to: message.platform_ids.reply_to } : {}),
      ...(message.platform_ids.references ? { references: message.platform_ids.references } : {}),
      ...(message.platform_ids.subject ? { subject: message.platform_ids.subject } : {}),
    };
    state.target = target;
    const admitted = await chat.admit({ message });
    if (admitted.access === 'pending') {
      if (admitted.rejected) return;
      await reply(
        `Hello! I do not know you yet. Ask an owner of this Pincer to approve pairing code ${admitted.pairingCode} (pincer chat approve ${admitted.pairingCode}).`,
      );
      return;
    }
    if (message.content.attachments.length > 0 && patched('chat-attachments-stored'))
      message = await keepFiles(message);
    remember('user', message.content.text);
    const truncatedNote = message.content.truncated
      ? ' (your message was long: I read only its beginning)'
      : '';
    const parsed = parseCommand(message.content.text);
    if (parsed.kind === 'invalid') {
      await reply(parsed.message);
      return;
    }
    if (parsed.kind === 'text') {
      if (!message.content.text.trim()) {
        if (message.content.attachments.length > 0)
          await reply(
            `Got ${message.content.attachments.length} file(s). Tell me what to do with them, or /help.`,
          );
        return;
      }
      await assistant(message, admitted.access, truncatedNote);
      await foldRecent();
      return;
    }
    const command = parsed.command;
    switch (command.name) {
      case 'help':
        return help(admitted.access);
      case 'status':
        return reply(await chat.describeRuns({ runIds: state.runs.map((run) => run.runId) }));
      case 'cancel':
        return cancelRuns();
      case 'approve':
      case 'reject':
        return decide(command.target, command.name === 'approve', message.sender, admitted.access);
      case 'run':
        return startRun(command.target ?? '', command.input, message, admitted.access, truncatedNote);
    }
  }

  /**
   * The message with its files copied into Pincer (each with a Pincer URL); files that could not
   * be kept are left out and the sender is told why.
   */
  async function keepFiles(message: InboundMessage): Promise<InboundMessage> {
    let stored: StoredAttachments;
    try {
      stored = await files.storeAttachments({ message });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const names = message.content.attachments.map((file) => file.name ?? file.type).join(', ');
      await reply(`I could not fetch your file(s) (${names}) just now: send them again later.`);
      stored = { attachments: [], refused: [] };
    }
    for (const refused of stored.refused) {
      await reply(
        refused.tooLarge
          ? `Your file was not kept: ${refused.reason}. Send a smaller file.`
          : `I could not take "${refused.name}": ${refused.reason}`,
      );
    }
    return { ...message, content: { ...message.content, attachments: stored.attachments } };
  }

  async function help(access: ChatAccess): Promise<void> {
    const workflows = await chat.chatWorkflows();
    const lines = workflows.map((workflow) => {
      const note =
        workflow.sideEffects.length === 0 || workflow.allowListed || access === 'owner'
          ? ''
          : " (needs an owner's approval)";
      return `- ${workflow.name}${workflow.description ? `: ${workflow.description}` : ''}${note}`;
    });
    await reply(
      `Commands:\n${COMMAND_HELP.join('\n')}\n\nWorkflows:\n${lines.join('\n') || '(none imported yet)'}`,
    );
  }

  async function assistant(message: InboundMessage, access: ChatAccess, note: string): Promise<void> {
    let workflows: ChatWorkflow[] = [];
    try {
      workflows = await chat.chatWorkflows();
      const decision = await llm.decide({
        text: message.content.text,
        recent: state.recent.slice(0, -1),
        summary: state.summary,
        workflows,
        sessionId: state.sessionId,
      });
      if (decision.action === 'run' && decision.workflow) {
        if (decision.answer) await reply(decision.answer);
        await startRun(decision.workflow, undefined, message, access, note);
        return;
      }
      await reply(`${decision.answer ?? ''}${note}`.trim() || 'I have no answer to that.');
    } catch (error) {
      const type =
        error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause.type : '';
      await reply(
        type === 'llm_unavailable'
          ? 'I can only follow commands right now (no language model is running). Try /help.'
          : 'I could not think about that just now. Try again, or use /help for commands.',
      );
    }
  }

  async function startRun(
    workflow: string,
    given: unknown,
    message: InboundMessage,
    access: ChatAccess,
    note: string,
    approvedBy?: string,
  ): Promise<void> {
    const runInput = chatRunInput(given, message);
    const prepared = await chat.prepareChatRun({
      workflow,
      input: runInput,
      sender: message.sender,
      access,
      ...(approvedBy ? { approvedBy } : {}),
    });
    if (prepared.kind === 'refused') return reply(prepared.message);
    if (prepared.kind === 'needs_approval') {
      const n = state.nextApproval++;
      state.approvals.push({ n, kind: 'start', workflow, input: runInput, requester: message.sender });
      return reply(`${prepared.reason} (approval ${n})`, approvalButtons(n));
    }
    const { run } = prepared;
    await startChild(INTERPRETER_WORKFLOW, {
      workflowId: runWorkflowId(run.runId),
      taskQueue: 'pincer-core',
      args: [run],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      memo: { [WATCHER_MEMO]: workflowInfo().workflowId },
    });
    state.runs.push({ runId: run.runId, workflow });
    await reply(`Started ${workflow} (run ${run.runId.slice(0, 8)})${note}.`);
  }

  async function cancelRuns(): Promise<void> {
    if (state.runs.length === 0) return reply('Nothing is running for this chat.');
    for (const run of state.runs) {
      await getExternalWorkflowHandle(runWorkflowId(run.runId))
        .cancel()
        .catch(() => undefined);
    }
    await reply(`Cancelling ${state.runs.map((run) => run.workflow).join(', ')}.`);
  }

  function approvalButtons(n: number): Partial<ChatDelivery> {
    return {
      buttons: [
        { label: 'Approve', data: `approve:${n}` },
        { label: 'Reject', data: `reject:${n}` },
      ],
    };
  }

  async function onAction(action: InboundAction): Promise<void> {
    const match = action.data.match(/^(approve|reject):(\d+)$/);
    if (!match) return;
    const access = await chat.accessOf({ sender: action.sender, chatId: action.platform_ids.chat_id });
    await decide(match[2], match[1] === 'approve', action.sender, access);
  }

  async function decide(
    which: string | undefined,
    approved: boolean,
    sender: Sender,
    access: ChatAccess,
  ): Promise<void> {
    if (access === 'pending') return;
    const approval =
      which === undefined
        ? state.approvals.at(-1)
        : state.approvals.find((candidate) => candidate.n === Number(which));
    if (!approval) {
      return reply(
        state.approvals.length === 0
          ? 'Nothing is waiting for approval.'
          : `No approval ${which}: waiting are ${state.approvals.map((candidate) => candidate.n).join(', ')}.`,
      );
    }
    const actor = `chat:${sender.platform}:${sender.user_id}`;
    if (approval.kind === 'start' && access !== 'owner')
      return reply(`Only an owner can approve this run (approval ${approval.n}).`);
    state.approvals = state.approvals.filter((candidate) => candidate !== approval);
    const verdict = approved ? 'approved' : 'rejected';
    if (approval.kind === 'start') {
      if (!approved)
        return reply(`Run of ${approval.workflow} ${verdict} by ${sender.name ?? sender.user_id}.`);
      const requester = approval.requester ?? sender;
      await reply(`Run of ${approval.workflow} ${verdict} by ${sender.name ?? sender.user_id}.`);
      const prepared = await chat.prepareChatRun({
        workflow: approval.workflow,
        input: approval.input,
        sender: requester,
        access: 'allowed',
        approvedBy: actor,
      });
      if (prepared.kind !== 'start')
        return reply(prepared.kind === 'refused' ? prepared.message : prepared.reason);
      await startChild(INTERPRETER_WORKFLOW, {
        workflowId: runWorkflowId(prepared.run.runId),
        taskQueue: 'pincer-core',
        args: [prepared.run],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        memo: { [WATCHER_MEMO]: workflowInfo().workflowId },
      });
      state.runs.push({ runId: prepared.run.runId, workflow: approval.workflow });
      return reply(`Started ${approval.workflow} (run ${prepared.run.runId.slice(0, 8)}).`);
    }
    if (!approval.runId || !approval.step) return;
    if (approval.approvers && patched('chat-approvers')) {
      // The run would ignore the decision: say so, and leave the approval waiting for them.
      state.approvals.push(approval);
      return reply(
        `Only ${approval.approvers.join(', ')} may decide ${approval.step} (approval ${approval.n}): in the studio, with \`pincer approve\` or through the API.`,
      );
    }
    await getExternalWorkflowHandle(runWorkflowId(approval.runId))
      .signal(approveSignal, { step: approval.step, approved, by: actor })
      .catch(() => undefined);
    await chat.recordChatDecision({ runId: approval.runId, step: approval.step, approved, actor });
    await reply(`${approval.workflow}: ${approval.step} ${verdict} by ${sender.name ?? sender.user_id}.`);
  }

  // --- runs ---------------------------------------------------------------------------------

  async function onRunEvent(event: RunEvent): Promise<void> {
    switch (event.kind) {
      case 'approval_waiting': {
        const n = state.nextApproval++;
        state.approvals.push({
          n,
          kind: 'step',
          runId: event.runId,
          step: event.step,
          workflow: event.workflow,
          ...(event.approvers ? { approvers: event.approvers } : {}),
        });
        return reply(
          `${event.workflow} waits for approval of ${event.step}${event.message ? `: ${event.message}` : ''} (approval ${n})`,
          approvalButtons(n),
        );
      }
      case 'step_finished':
        if (event.total > 1 && event.state === 'failed')
          await reply(`${event.workflow}: step ${event.step} failed.`);
        return;
      case 'finished': {
        state.runs = state.runs.filter((run) => run.runId !== event.runId);
        state.approvals = state.approvals.filter((approval) => approval.runId !== event.runId);
        if (event.status === 'cancelled') return reply(`${event.workflow} was cancelled.`);
        if (event.status === 'failed')
          return reply(`${event.workflow} failed at ${event.error?.step}: ${event.error?.message}`);
        return reply(resultText(event.workflow, event.output), { files: filesIn(event.output) });
      }
    }
  }
}

/** What a chat-started run gets as its trigger: the JSON given, and the message it came from. */
function chatRunInput(given: unknown, message: InboundMessage): Record<string, unknown> {
  const chatMessage = {
    text: message.content.text,
    attachments: message.content.attachments,
    sender: message.sender,
    session_id: message.session_id,
  };
  const reply = {
    platform: message.sender.platform,
    chat_id: message.platform_ids.chat_id,
    ...(message.platform_ids.thread_id ? { thread_id: message.platform_ids.thread_id } : {}),
  };
  if (given !== null && typeof given === 'object' && !Array.isArray(given))
    return { ...given, message: chatMessage, reply };
  return given === undefined
    ? { message: chatMessage, reply }
    : { input: given, message: chatMessage, reply };
}

function resultText(workflow: string, output: unknown): string {
  let text: string;
  if (typeof output === 'string') text = output;
  else if (
    output !== null &&
    typeof output === 'object' &&
    'text' in output &&
    typeof output.text === 'string'
  )
    text = output.text;
  else text = output === null || output === undefined ? 'done' : JSON.stringify(output, null, 1);
  if (text.length > RESULT_TEXT_LIMIT) text = `${text.slice(0, RESULT_TEXT_LIMIT)}…`;
  return `${workflow}: ${text}`;
}

/** Artifacts in a run's output (objects with id, url, mediaType, sha256) go out as files. */
function filesIn(output: unknown): ChatDelivery['files'] {
  const files: NonNullable<ChatDelivery['files']> = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const entry of value.slice(0, 20)) visit(entry, depth + 1);
      return;
    }
    if ('sha256' in value && 'id' in value && 'url' in value && typeof value.id === 'string') {
      const name = 'name' in value && typeof value.name === 'string' ? value.name : value.id;
      files.push({ name, artifactId: value.id, url: String(value.url) });
      return;
    }
    for (const entry of Object.values(value)) visit(entry, depth + 1);
  };
  visit(output, 0);
  return files.slice(0, 10);
}

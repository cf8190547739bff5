/**
 * The contract between the gateway and the conversation workflow, and the chat command parser.
 * Deterministic and I/O-free: workflow code imports it (`@pincer/channels/workflow`).
 */
import { defineSignal } from '@temporalio/workflow';
import type { InboundEvent } from './message.ts';
import { wellFormedOf } from './text.ts';

export const CONVERSATION_WORKFLOW = 'conversation';

/** One workflow per chat (and thread): signal-with-start on this id routes every message to it. */
export function conversationWorkflowId(sessionId: string): string {
  return `chat-${sessionId}`;
}

/** The dedupe key of an inbound event: the platform's message id, or the button press's. */
export function eventKey(event: InboundEvent): string {
  return event.kind === 'message'
    ? `${event.message.sender.platform}:${event.message.platform_ids.message_id}`
    : `${event.action.sender.platform}:${event.action.platform_ids.message_id}`;
}

export const inboundSignal = defineSignal<[InboundEvent]>('inbound');

export interface ChatCommand {
  name: 'run' | 'status' | 'cancel' | 'approve' | 'reject' | 'help';
  /** `/run`: the workflow; `/approve` and `/reject`: the approval number. */
  target?: string;
  /** `/run NAME {json}`: the input. */
  input?: unknown;
}

export type ParsedCommand =
  | { kind: 'command'; command: ChatCommand }
  | { kind: 'invalid'; message: string }
  | { kind: 'text' };

export const COMMAND_HELP = [
  '/run NAME [json] - run a workflow, e.g. /run daily_report {"day": "today"}',
  '/status - what is running for this chat',
  '/cancel - cancel what is running for this chat',
  '/approve [N] - approve a waiting step (the latest when N is left out)',
  '/reject [N] - reject a waiting step',
  '/help - this list and the workflows you may run',
];

/**
 * Reads a chat command (`/run name {"a":1}`, `/status@my_bot`); plain text is `text`. Unknown
 * commands and bad JSON come back `invalid` with a message that says what to write instead.
 */
export function parseCommand(text: string): ParsedCommand {
  const trimmed = text.trim();
  const match = trimmed.match(/^\/([A-Za-z_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/);
  if (!match) return { kind: 'text' };
  const word = (match[1] ?? '').toLowerCase();
  const rest = (match[2] ?? '').trim();
  switch (word) {
    case 'status':
    case 'cancel':
    case 'help':
    case 'start':
      return { kind: 'command', command: { name: word === 'start' ? 'help' : word } };
    case 'approve':
    case 'reject': {
      if (rest && !/^\d+$/.test(rest))
        return { kind: 'invalid', message: `/${word} takes an approval number, e.g. /${word} 2` };
      return { kind: 'command', command: { name: word, ...(rest ? { target: rest } : {}) } };
    }
    case 'run': {
      const runMatch = rest.match(/^([A-Za-z][\w-]*)(?:\s+([\s\S]*))?$/);
      if (!runMatch?.[1])
        return {
          kind: 'invalid',
          message: 'Write /run NAME [json], e.g. /run daily_report {"day": "today"}',
        };
      const json = runMatch[2]?.trim();
      if (!json) return { kind: 'command', command: { name: 'run', target: runMatch[1] } };
      try {
        return {
          kind: 'command',
          command: { name: 'run', target: runMatch[1], input: storable(JSON.parse(json)) },
        };
      } catch {
        return {
          kind: 'invalid',
          message: `The input after /run ${runMatch[1]} is not JSON: write it like {"key": "value"}`,
        };
      }
    }
    default:
      return {
        kind: 'invalid',
        message: `Unknown command /${word.slice(0, 40)}. Commands:\n${COMMAND_HELP.join('\n')}`,
      };
  }
}

/** JSON from chat made storable: `\u0000` and lone surrogates written as escapes are refused by PostgreSQL. */
export function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [storableText(key), storable(entry)]),
    );
  return value;
}

function storableText(text: string): string {
  return wellFormedOf(text).replaceAll('\u0000', '');
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChannelSection } from '@pincer/config';
import type { FetchedFile } from './download.ts';
import type { Attachment, InboundEvent, ParsedOutboundMessage, Platform } from './message.ts';

/**
 * Hands one inbound event to Temporal; resolves once it is durable there. Adapters acknowledge
 * the platform (advance the offset, answer the HTTP request, mark the UID seen) only after.
 */
export type InboundSink = (event: InboundEvent) => Promise<void>;

export type AdapterState = 'starting' | 'connected' | 'reconnecting' | 'refused' | 'stopped';

export interface AdapterHealth {
  platform: Platform;
  state: AdapterState;
  /** Why it is not connected (a refused token, a network error); never a secret. */
  error?: string;
  /** When it tries again, ms from now, while reconnecting or refused. */
  retryInMs?: number;
  /** Inbound events handed to Temporal since start. */
  received: number;
}

/** How adapters log; the gateway passes its logger. Never given a secret. */
export type AdapterLog = (
  level: 'info' | 'warn' | 'error',
  fields: Record<string, unknown>,
  message: string,
) => void;

/** An HTTP route an adapter serves on the gateway's webhook server (Telegram webhook, Slack events). */
export interface WebhookRoute {
  path: string;
  handle(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void>;
}

/** The receiving side of a platform: connects, normalizes, hands over, acknowledges. */
export interface ChannelReceiver {
  readonly platform: Platform;
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  health(): AdapterHealth;
  routes?(): WebhookRoute[];
}

/** A file ready to send: bytes, or only a link when the bytes are not at hand. */
export interface ResolvedFile {
  name: string;
  mediaType: string;
  data?: Buffer;
  url?: string;
}

/** The sending side of a platform. */
export interface ChannelSender {
  readonly platform: Platform;
  /** Longest text of one message in UTF-16 units; longer text goes out in parts. None: one message. */
  readonly textLimit?: number;
  /**
   * Sends text (in parts where the platform limits length), buttons and files. `progress` makes a
   * retry skip the parts an earlier attempt delivered: nothing arrives twice.
   */
  send(
    message: ParsedOutboundMessage,
    files: ResolvedFile[],
    progress?: SendProgress,
  ): Promise<{ messageId: string }>;
  /**
   * Fetches the bytes of a file a message brought (its `url` as the receiver wrote it), at most
   * `maxBytes`: a bigger one throws a ChannelError `too_large`.
   */
  fetchAttachment?(attachment: Attachment, maxBytes: number): Promise<FetchedFile>;
  close?(): Promise<void>;
}

export interface SendProgress {
  /** Parts an earlier attempt already delivered. */
  done: number;
  /** The id of the last part delivered so far. */
  lastId?: string;
  /** Called after each part is delivered. */
  onPart(done: number, lastId: string): void;
}

/** Sends parts in order, skipping those an earlier attempt delivered; returns the last part's id. */
export async function sendParts(
  parts: (() => Promise<string>)[],
  progress: SendProgress | undefined,
): Promise<string> {
  let lastId = progress?.lastId ?? '';
  for (let index = progress?.done ?? 0; index < parts.length; index++) {
    const part = parts[index];
    if (!part) continue;
    lastId = await part();
    progress?.onPart(index + 1, lastId);
  }
  return lastId;
}

/**
 * A failure of a platform call. `retryAfterMs` is the platform's own wait (Telegram retry_after,
 * Slack Retry-After, Discord's bucket reset); `retryable: false` means trying again cannot help
 * (a refused token, a chat that does not exist).
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly code: 'rate_limited' | 'refused' | 'rejected' | 'unavailable' | 'too_large',
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** How an HTTP failure of a platform reads, whatever the platform. */
export interface HttpFailure {
  code: ChannelError['code'];
  retryable: boolean;
  retryAfterMs?: number;
}

/**
 * The platforms' shared reading of an HTTP status: 429 is a rate limit (wait `retryAfterMs`, 1 s
 * when the platform did not say), 401 a refused token, any other 4xx a request that cannot succeed
 * as sent, anything else (5xx, a proxy's answer) worth another try. Adapters name their exceptions
 * (Telegram's 404 for a wrong token, Slack's 403) before asking this.
 */
export function classifyHttpFailure(status: number, retryAfterMs?: number): HttpFailure {
  if (status === 429) return { code: 'rate_limited', retryable: true, retryAfterMs: retryAfterMs ?? 1000 };
  if (status === 401) return { code: 'refused', retryable: false };
  if (status >= 400 && status < 500) return { code: 'rejected', retryable: false };
  return { code: 'unavailable', retryable: true };
}

/** A ChannelError for an HTTP failure, with the platform's words. */
export function httpFailure(status: number, message: string, retryAfterMs?: number): ChannelError {
  const failure = classifyHttpFailure(status, retryAfterMs);
  return new ChannelError(failure.code, message, failure.retryable, failure.retryAfterMs);
}

/** Exponential backoff with a cap: 1 s, 2 s, 4 s ... `maxMs`. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** A wait that `stop` cuts short. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Hands an event over, trying again with backoff while Temporal is unreachable; gives up only
 * when the adapter stops (the platform then delivers the event again after restart).
 */
export async function handOver(
  sink: InboundSink,
  event: InboundEvent,
  signal: AbortSignal,
  onError: (error: unknown) => void,
): Promise<boolean> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await sink(event);
      return true;
    } catch (error) {
      onError(error);
      await pause(backoffMs(attempt, 500, 10_000), signal);
    }
  }
  return false;
}

/**
 * Keeps a connection up: runs `connect` again after it fails, waiting longer each time (a refused
 * token waits the longest and is reported, never a tight restart loop).
 */
export class Reconnector {
  state: AdapterState = 'starting';
  error: string | undefined;
  private retryAt: number | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly options: {
      /** Runs until the connection ends; resolves when `signal` aborts, throws when the connection drops. */
      connect(signal: AbortSignal, connected: () => void): Promise<void>;
      /** Named in the log line of each failed attempt. */
      platform: Platform;
      log?: AdapterLog | undefined;
      maxBackoffMs?: number;
      refusedBackoffMs?: number;
    },
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      try {
        await this.options.connect(this.abort.signal, () => {
          this.state = 'connected';
          this.error = undefined;
          attempt = 0;
        });
        if (this.abort.signal.aborted) break;
        throw new ChannelError('unavailable', 'the connection ended', true);
      } catch (error) {
        if (this.abort.signal.aborted) break;
        attempt += 1;
        const refused = error instanceof ChannelError && error.code === 'refused';
        const wait = refused
          ? (this.options.refusedBackoffMs ?? 5 * 60_000)
          : backoffMs(attempt, 1000, this.options.maxBackoffMs ?? 60_000);
        this.state = refused ? 'refused' : 'reconnecting';
        this.error = error instanceof Error ? error.message : String(error);
        this.retryAt = Date.now() + wait;
        this.options.log?.(
          'warn',
          { platform: this.options.platform, retryInMs: wait, error: this.error },
          `${this.options.platform} connection failed; retrying`,
        );
        await pause(wait, this.abort.signal);
      }
    }
    this.state = 'stopped';
  }

  retryInMs(): number | undefined {
    if (this.state !== 'reconnecting' && this.state !== 'refused') return undefined;
    return Math.max(0, (this.retryAt ?? 0) - Date.now());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.state = 'stopped';
  }
}

/** What a receiver gets besides its section. */
export interface ReceiverContext {
  log: AdapterLog;
  /** Where state a restart needs is kept (Discord's gateway session), when the gateway has one. */
  stateDir?: string;
}

/**
 * A platform's two sides, built from its pincer.yaml section (whose schema, env variables and
 * studio summary are in @pincer/config's channel table).
 */
export interface ChannelAdapters<P extends Platform> {
  receiver(section: ChannelSection<P>, context: ReceiverContext): ChannelReceiver;
  sender(section: ChannelSection<P>): ChannelSender;
}

/** A platform's entry in the channel table (from-config.ts). */
export function defineChannel<P extends Platform>(adapters: ChannelAdapters<P>): ChannelAdapters<P> {
  return adapters;
}

/**
 * The lifecycle every receiver shares: `start` keeps the platform connection up through a
 * Reconnector, `health` reports its state and the events handed over, `stop` ends it. A platform
 * writes only `connect` (one connection, until `signal` aborts) and its normalizing.
 */
export abstract class ConnectedReceiver<P extends Platform> implements ChannelReceiver {
  protected sink: InboundSink | undefined;
  /** Inbound events handed to Temporal since start. */
  protected received = 0;
  protected readonly reconnector: Reconnector;

  constructor(
    readonly platform: P,
    protected readonly log: AdapterLog | undefined,
  ) {
    this.reconnector = new Reconnector({
      connect: (signal, connected) => this.connect(signal, connected),
      platform,
      log,
    });
  }

  /** One connection: resolves when `signal` aborts, throws when it drops; calls `connected` once up. */
  protected abstract connect(signal: AbortSignal, connected: () => void): Promise<void>;

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    this.reconnector.start();
  }

  /**
   * Hands an event over, retrying while Temporal is unreachable; false when stopping first (the
   * platform then delivers it again after restart).
   */
  protected async handOver(event: InboundEvent, signal: AbortSignal): Promise<boolean> {
    if (!this.sink) return true;
    const handed = await handOver(this.sink, event, signal, (error) =>
      this.log?.(
        'error',
        { platform: this.platform, error: error instanceof Error ? error.message : String(error) },
        'could not hand a message to Temporal; retrying',
      ),
    );
    if (handed) this.received += 1;
    return handed;
  }

  /** The connection's state as health reports it. */
  protected state(): AdapterState {
    return this.reconnector.state;
  }

  health(): AdapterHealth {
    const retryInMs = this.reconnector.retryInMs();
    return {
      platform: this.platform,
      state: this.state(),
      ...(this.reconnector.error ? { error: this.reconnector.error } : {}),
      ...(retryInMs !== undefined ? { retryInMs } : {}),
      received: this.received,
    };
  }

  async stop(): Promise<void> {
    await this.reconnector.stop();
  }
}

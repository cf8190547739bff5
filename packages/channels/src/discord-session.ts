import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AdapterLog } from './adapter.ts';

const SavedSessionSchema = z.object({
  sessionId: z.string().min(1),
  resumeURL: z.string().min(1),
  /** The last sequence number whose dispatches were handed over to Temporal (not merely received). */
  sequence: z.number().int().nonnegative(),
  shardId: z.number().int().nonnegative(),
  shardCount: z.number().int().positive(),
  /** Thread id → parent channel id: a resumed session gets no GUILD_CREATE to learn them again. */
  threads: z.record(z.string(), z.string()).default({}),
});

export type SavedDiscordSession = z.infer<typeof SavedSessionSchema>;

/**
 * The Discord gateway session kept on disk, so a restarted gateway resumes it (Discord replays
 * what arrived meanwhile) instead of identifying anew (which would miss it). Each save replaces
 * the file atomically (a synced temporary file renamed over it); saves made while one is being
 * written collapse into the newest.
 */
export class DiscordSessionFile {
  private pending: { session: SavedDiscordSession | null } | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly log?: AdapterLog,
  ) {}

  /** The saved session; undefined when there is none or it cannot be read (the gateway identifies anew). */
  async load(): Promise<SavedDiscordSession | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = SavedSessionSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    this.log?.(
      'warn',
      { platform: 'discord', file: this.file },
      'the saved Discord session is unreadable; starting a new session (messages sent while the gateway was down are not replayed)',
    );
    return undefined;
  }

  /** Saves `session` (null forgets it); resolves once it, or a newer one, is on disk. */
  save(session: SavedDiscordSession | null): Promise<void> {
    this.pending = { session };
    this.writing ??= this.flush();
    return this.writing;
  }

  /** Resolves once every save made so far is on disk. */
  async saved(): Promise<void> {
    await this.writing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending) {
        const { session } = this.pending;
        this.pending = undefined;
        try {
          await this.write(session);
        } catch (error) {
          this.log?.(
            'error',
            {
              platform: 'discord',
              file: this.file,
              error: error instanceof Error ? error.message : String(error),
            },
            'could not save the Discord session; a restart may not resume it',
          );
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(session: SavedDiscordSession | null): Promise<void> {
    if (!session) {
      await rm(this.file, { force: true });
      return;
    }
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(session));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
  }
}

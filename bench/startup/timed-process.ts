import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';

export interface OutputLine {
  /** Milliseconds since the process was spawned. */
  atMs: number;
  text: string;
}

/** The exit code, or the signal's name when a signal ended the process. */
export type ExitStatus = number | string | null;

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/**
 * A command leading its own process group (like a terminal job), every output line stamped with
 * the time it arrived, so phases can be read off the log afterwards.
 */
export class TimedProcess {
  readonly lines: OutputLine[] = [];
  readonly exited: Promise<ExitStatus>;
  /** Milliseconds from spawn to exit, once it exited. */
  exitedAtMs: number | undefined;
  private readonly spawnedAt = performance.now();
  private readonly child: ChildProcess;

  constructor(command: string, args: string[], options: SpawnOptions) {
    this.child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', this.lineCollector());
    this.child.stderr?.on('data', this.lineCollector());
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.exitedAtMs = this.elapsed();
        this.lines.push({ atMs: this.exitedAtMs, text: `could not run ${command}: ${error.message}` });
        resolve(null);
      });
      this.child.on('exit', (code, signal) => {
        this.exitedAtMs = this.elapsed();
        resolve(signal ?? code);
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`could not spawn ${this.child.spawnfile}`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitedAtMs === undefined;
  }

  /** Milliseconds since spawn. */
  elapsed(): number {
    return performance.now() - this.spawnedAt;
  }

  firstLine(pattern: RegExp): OutputLine | undefined {
    return this.lines.find((line) => pattern.test(line.text));
  }

  /** Resolves with the first line matching `pattern`; rejects if the process exits or time runs out first. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<OutputLine> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const found = this.firstLine(pattern);
      if (found) return found;
      if (!this.running) break;
      await sleep(20);
    }
    throw new Error(`never saw ${pattern} in the output; last lines:\n${this.tail()}`);
  }

  /** Signals the whole group, as Ctrl-C in a terminal does. */
  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }

  tail(count = 30): string {
    return this.lines
      .slice(-count)
      .map((line) => line.text)
      .join('\n');
  }

  private lineCollector(): (chunk: Buffer) => void {
    let partial = '';
    return (chunk) => {
      const atMs = this.elapsed();
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) this.lines.push({ atMs, text: stripVTControlCharacters(part) });
    };
  }
}

/** Waits for `job` to exit; SIGKILLs its group and throws if it takes longer than `timeoutMs`. */
export async function waitForExit(job: TimedProcess, timeoutMs: number): Promise<ExitStatus> {
  const result = await Promise.race([job.exited, sleep(timeoutMs).then(() => Symbol('timeout'))]);
  if (typeof result !== 'symbol') return result;
  job.signalGroup('SIGKILL');
  throw new Error(
    `did not exit within ${timeoutMs / 1000}s of the signal; killed. Last lines:\n${job.tail()}`,
  );
}

import type { Logger } from 'pino';

/**
 * Runs `shutdown` once on SIGTERM/SIGINT, or when the supervising parent goes away (its IPC
 * channel closes), so a process never outlives a killed supervisor. Exits when it is done, or
 * forcefully after `graceMs`.
 */
export function onShutdown(log: Logger, shutdown: (reason: string) => Promise<void>, graceMs = 10_000): void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    const force = setTimeout(() => {
      log.error({ graceMs }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, graceMs);
    force.unref();
    shutdown(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (process.send) {
    // The supervisor may have died while this process was still starting up.
    if (!process.connected) stop('supervisor gone');
    else process.once('disconnect', () => stop('supervisor gone'));
  }
}

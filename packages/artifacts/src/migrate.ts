import { type BlobStore, putStream } from './blobs.ts';

export interface MigrationReport {
  /** Blobs copied now. */
  copied: number;
  /** Blobs the target already had (a repeated migration copies nothing twice). */
  present: number;
  /** Bytes copied. */
  bytes: number;
}

/**
 * Copies every blob of `from` that `to` lacks, verifying each one's hash on the way (a corrupt
 * file stops the migration with its name instead of landing in the target). Idempotent, so an
 * interrupted migration is finished by running it again; `from` is left as it was.
 */
export async function migrateBlobs(
  from: BlobStore,
  to: BlobStore,
  progress: (sha256: string, copied: boolean) => void = () => {},
): Promise<MigrationReport> {
  const report: MigrationReport = { copied: 0, present: 0, bytes: 0 };
  for await (const sha256 of from.list()) {
    if (await to.has(sha256)) {
      report.present += 1;
      progress(sha256, false);
      continue;
    }
    // Through the target's spool: hashed as it streams, never whole in memory.
    const kept = await putStream(to, await from.open(sha256));
    if (kept.sha256 !== sha256) {
      throw new Error(
        `${from.location} holds ${sha256} whose bytes hash to ${kept.sha256}: the file is corrupt; ` +
          'restore it from a backup or delete it, then migrate again',
      );
    }
    report.copied += 1;
    report.bytes += kept.size;
    progress(sha256, true);
  }
  return report;
}

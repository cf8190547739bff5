import { ArtifactError, createBlobStore, createDiskBlobStore, migrateBlobs } from '@pincer/artifacts';
import type { PincerConfig } from '@pincer/config';
import { CliError } from '../api-client.ts';
import { say } from '../output.ts';
import { usageError } from './args.ts';

/**
 * `pincer artifacts migrate`: copies the step and chat files of the disk store (artifacts.dir) to
 * the S3-compatible store the configuration names, verifying each file's hash. Run it with
 * artifacts.store set to s3 before starting Pincer on S3; running it again copies only what is
 * missing, and the disk files are left in place until you delete them.
 */
export async function artifacts(config: PincerConfig, args: string[]): Promise<number> {
  if (args[0] !== 'migrate' || args.length > 1) {
    const problem = args[0] ? `unknown action "${args.join(' ')}"` : 'missing action';
    throw usageError(`${problem}. Usage: pincer artifacts migrate`);
  }
  if (config.artifacts.store !== 's3') {
    throw new CliError(
      'artifacts.store is disk: set it to s3 with artifacts.s3 (or PINCER_ARTIFACTS_STORE=s3 and PINCER_S3_*) ' +
        'to say where the files go, then run `pincer artifacts migrate` again',
      1,
    );
  }
  const target = createBlobStore(config.artifacts);
  try {
    await target.check();
  } catch (error) {
    if (error instanceof ArtifactError) throw new CliError(error.message, 1);
    throw error;
  }
  const source = createDiskBlobStore(config.artifacts.dir);
  say(`copying ${source.location} to ${target.location}`);
  const report = await migrateBlobs(source, target, (sha256, copied) => {
    if (copied) say(`  copied ${sha256}`);
  });
  const megabytes = (report.bytes / 1024 / 1024).toFixed(1);
  say(`done: ${report.copied} copied (${megabytes} MB), ${report.present} already there`);
  return 0;
}

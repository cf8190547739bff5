import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { InferenceError } from './errors.ts';

const GGUF_MAGIC = 'GGUF';

export interface ModelFileFacts {
  sizeBytes: number;
  sha256: string;
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks that `file` is there and looks like a GGUF model (and, for a provisioned model, that
 * its size and sha256 are the expected ones) before llama.cpp reads it: a broken file must give
 * an error naming the file and the fix, not a native crash.
 */
export async function verifyModelFile(
  file: string,
  fix: string,
  expected?: ModelFileFacts,
): Promise<ModelFileFacts> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    throw new InferenceError('model_missing', `The model file ${file} does not exist.`, fix);
  }
  const header = Buffer.alloc(4);
  const handle = await open(file, 'r');
  try {
    await handle.read(header, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (header.toString('latin1') !== GGUF_MAGIC) {
    throw new InferenceError('model_corrupt', `The model file ${file} is not a GGUF file.`, fix);
  }
  if (expected && info.size !== expected.sizeBytes) {
    throw new InferenceError(
      'model_corrupt',
      `The model file ${file} has ${info.size} bytes, expected ${expected.sizeBytes} (incomplete or damaged).`,
      fix,
    );
  }
  const sha256 = (await stampedHash(file, info)) ?? (await sha256Of(file));
  if (expected && sha256 !== expected.sha256) {
    throw new InferenceError(
      'model_corrupt',
      `The model file ${file} has sha256 ${sha256}, expected ${expected.sha256} (damaged).`,
      fix,
    );
  }
  await writeFile(stampFile(file), stampLine(info, sha256)).catch(() => undefined);
  return { sizeBytes: info.size, sha256 };
}

/**
 * Hashing a model takes seconds on a busy machine and happens on every start: the hash is kept
 * beside the file with its size and modification time, and reused while those are unchanged.
 */
async function stampedHash(
  file: string,
  info: { size: number; mtimeMs: number },
): Promise<string | undefined> {
  const stamp = await readFile(stampFile(file), 'utf8').catch(() => '');
  const [size, mtime, sha256] = stamp.trim().split(' ');
  return size === String(info.size) && mtime === String(info.mtimeMs) && sha256 ? sha256 : undefined;
}

function stampFile(file: string): string {
  return `${file}.sha256`;
}

function stampLine(info: { size: number; mtimeMs: number }, sha256: string): string {
  return `${info.size} ${info.mtimeMs} ${sha256}\n`;
}

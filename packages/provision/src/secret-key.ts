import { readFile } from 'node:fs/promises';
import type { PincerConfig } from '@pincer/config';
import { layout } from './embedded.ts';
import { ProvisionError } from './steps.ts';

/** The AES-256 key for credentials: PINCER_SECRET_KEY, else the one `npm start` generated. */
export async function loadSecretKey(config: PincerConfig): Promise<Buffer> {
  if (config.secrets.key) return Buffer.from(config.secrets.key, 'base64');
  const file = layout(config).secretKey;
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  } catch (error) {
    throw new ProvisionError(
      'secret_key_missing',
      'secret-key',
      `No credentials key: PINCER_SECRET_KEY is not set and ${file} does not exist.`,
      'run `npm start` once (it generates the key), or set PINCER_SECRET_KEY to base64 of 32 random bytes.',
      { cause: error },
    );
  }
}

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from './errors.ts';

// OWASP's scrypt minimum (N = 2^17, r = 8, p = 1): 128 MiB and ~0.3 s per hash here. The parameters
// are stored in each hash, so raising them later keeps old hashes verifiable.
const COST_LOG2 = 17;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// Bounds for parameters read from a stored hash, so a tampered row cannot exhaust memory.
const MAX_COST_LOG2 = 20;
const MAX_BLOCK_SIZE = 16;
const MAX_PARALLELISM = 4;

interface ScryptParams {
  costLog2: number;
  blockSize: number;
  parallelism: number;
}

/**
 * Hashes a password with scrypt and a random salt, as a PHC-style string:
 * `$scrypt$ln=17,r=8,p=1$<salt base64>$<hash base64>`.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new InvalidInputError('The password is empty: choose a non-empty one.');
  const params = { costLog2: COST_LOG2, blockSize: BLOCK_SIZE, parallelism: PARALLELISM };
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, KEY_LENGTH, params);
  return `$scrypt$ln=${params.costLog2},r=${params.blockSize},p=${params.parallelism}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `password` produced `encoded`; compares in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const { params, salt, hash } = parseHash(encoded);
  const candidate = await derive(password, salt, hash.length, params);
  return timingSafeEqual(candidate, hash);
}

function parseHash(encoded: string): { params: ScryptParams; salt: Buffer; hash: Buffer } {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/.exec(encoded);
  const [, ln, r, p, salt, hash] = match ?? [];
  if (!ln || !r || !p || !salt || !hash) {
    throw new InvalidInputError(
      'The stored password hash is not a "$scrypt$ln=..,r=..,p=..$salt$hash" string: set a new password for this user.',
    );
  }
  const params = { costLog2: Number(ln), blockSize: Number(r), parallelism: Number(p) };
  if (
    params.costLog2 < 1 ||
    params.costLog2 > MAX_COST_LOG2 ||
    params.blockSize < 1 ||
    params.blockSize > MAX_BLOCK_SIZE ||
    params.parallelism < 1 ||
    params.parallelism > MAX_PARALLELISM
  ) {
    throw new InvalidInputError(
      `The stored password hash has out-of-range scrypt parameters (ln=${ln}, r=${r}, p=${p}): set a new password for this user.`,
    );
  }
  const hashBytes = Buffer.from(hash, 'base64');
  if (hashBytes.length < 16) {
    throw new InvalidInputError('The stored password hash is truncated: set a new password for this user.');
  }
  return { params, salt: Buffer.from(salt, 'base64'), hash: hashBytes };
}

function derive(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.costLog2;
  const options = {
    N,
    r: params.blockSize,
    p: params.parallelism,
    // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is below the OWASP parameters.
    maxmem: 256 * N * params.blockSize,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

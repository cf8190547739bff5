import { createHmac } from 'node:crypto';
import { loadSecretKey } from '@pincer/provision';
import { getConfig } from '../config.ts';

const CACHE_KEY = Symbol.for('pincer.web.authSecret');
const store = globalThis as typeof globalThis & { [CACHE_KEY]?: Promise<string> };

/**
 * The key that signs studio sessions: NEXTAUTH_SECRET when set, else derived from the
 * installation's credentials key, so a fresh install needs no extra secret and sessions survive
 * restarts. Derived (HMAC), never the credentials key itself.
 */
export function authSecret(): Promise<string> {
  const fromEnv = process.env.NEXTAUTH_SECRET;
  if (fromEnv) return Promise.resolve(fromEnv);
  store[CACHE_KEY] ??= loadSecretKey(getConfig()).then((key) =>
    createHmac('sha256', key).update('pincer.studio.session').digest('base64url'),
  );
  const pending = store[CACHE_KEY];
  pending.catch(() => {
    if (store[CACHE_KEY] === pending) delete store[CACHE_KEY];
  });
  return pending;
}

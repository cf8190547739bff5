import { loadConfig, type PincerConfig } from '@pincer/config';

type Loaded = { ok: true; config: PincerConfig } | { ok: false; error: unknown };

// Kept on globalThis, not in a module variable: src/server.ts and each Next route bundle get their
// own copy of this module, and the config is to be read once per process.
const CACHE_KEY = Symbol.for('pincer.web.config');
const cache = globalThis as typeof globalThis & { [CACHE_KEY]?: Loaded };

/** The process's config, loaded on first use; a config error is remembered and rethrown. */
export function getConfig(): PincerConfig {
  cache[CACHE_KEY] ??= load();
  const loaded = cache[CACHE_KEY];
  if (!loaded.ok) throw loaded.error;
  return loaded.config;
}

function load(): Loaded {
  try {
    return { ok: true, config: loadConfig() };
  } catch (error) {
    return { ok: false, error };
  }
}

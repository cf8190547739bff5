import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type pg from 'pg';

export type SchemaEngine = bindings.SchemaEngine;
export type { DiffTarget, MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';

// Node 20's type definitions have no WebAssembly namespace (only lib.dom does). This module-scoped
// declaration types the two members used here and shadows lib.dom's where that is loaded.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

declare global {
  // The engine hands a Rust panic's message here just before it aborts the process with an
  // uncatchable "RuntimeError: unreachable"; without it the message is lost.
  var PRISMA_WASM_PANIC_REGISTRY: { set_message(message: string): void } | undefined;
}

export const NO_FILTERS: bindings.SchemaFilter = { externalTables: [], externalEnums: [] };

let loaded: Promise<void> | undefined;

// The package's own entry imports the .wasm as an ES module, which Node 20 cannot do without a flag,
// so the bindings are wired to a module instantiated from the bytes (what its entry does itself).
function loadWasm(): Promise<void> {
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (message) => process.stderr.write(`Prisma schema engine panicked: ${message}\n`),
  };
  loaded ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm');
    const bytes = await readFile(join(dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    if (typeof start === 'function') start();
  })();
  return loaded;
}

export interface EngineOptions {
  /** Prisma schema file contents, keyed by a path used in error messages. */
  schemaFiles: { path: string; content: string }[];
  /** Pool the engine queries through; the caller owns it and ends it. */
  pool: pg.Pool;
  log?: (line: string) => void;
}

/** Runs `use` with a fresh schema engine and frees the engine afterwards. */
export async function withSchemaEngine<T>(
  options: EngineOptions,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(options.pool));
  const log = options.log ?? (() => {});
  const engine = await bindings.SchemaEngine.new(
    { datamodels: options.schemaFiles.map((file) => [file.path, file.content]) },
    (line: string) => log(line),
    adapter,
  );
  try {
    return await use(engine);
  } finally {
    engine.free();
  }
}

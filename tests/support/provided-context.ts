/** What the global setup (tests/setup/services.ts) provides to every test file via inject(). */
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of this test run's PostgreSQL, ending in /pincer. */
    postgresUrl: string;
    /** host:port of this test run's in-memory Temporal dev server. */
    temporalAddress: string;
    /** The shared download cache (.pincer/cache of the checkout). */
    cacheDir: string;
    /** The Docker-API socket of this test run's podman service (the sandbox's engine). */
    sandboxSocket: string;
    /** The default GGUF model (SmolLM2 135M), provisioned and verified by the global setup. */
    modelPath: string;
  }
}

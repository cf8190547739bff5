// tests/support/db.ts reads inject('postgresUrl'), whose type is declared in tests/setup/services.ts,
// outside this package's compilation; this repeats that one key so `tsc -p packages/db` can check it.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

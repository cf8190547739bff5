import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this worker belongs to (apps/temporal-worker/src → repo root). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

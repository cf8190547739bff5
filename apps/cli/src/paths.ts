import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this CLI belongs to (apps/cli/src → repo root). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

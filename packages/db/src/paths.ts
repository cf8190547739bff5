import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const srcDir = dirname(fileURLToPath(import.meta.url));

/** The repository's prisma/ folder (schema.prisma, migrations/), found from this file, not the cwd. */
export const defaultPrismaDir = join(srcDir, '..', '..', '..', 'prisma');

/** Where `prisma generate` writes the client (git-ignored; see schema.prisma's generator). */
export const generatedClientDir = join(srcDir, 'generated', 'prisma');

export interface PrismaPaths {
  schemaFile: string;
  migrationsDir: string;
  /** schema.prisma as of the newest migration: what migration:new diffs against. Not named *.prisma
   * so no tool mistakes it for part of the live schema. */
  snapshotFile: string;
  lockFile: string;
}

export function prismaPaths(prismaDir: string = defaultPrismaDir): PrismaPaths {
  const migrationsDir = join(prismaDir, 'migrations');
  return {
    schemaFile: join(prismaDir, 'schema.prisma'),
    migrationsDir,
    snapshotFile: join(migrationsDir, 'schema.prisma.snapshot'),
    lockFile: join(migrationsDir, 'migration_lock.toml'),
  };
}

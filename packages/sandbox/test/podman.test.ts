import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPodmanService } from '../src/index.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'pincer-podman-'));
const overlay = path.join(dir, 'storage', 'overlay');
const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${overlay} `);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Pincer's podman service", () => {
  it('leaves no overlay mount behind when it stops, so its directory can be deleted', async () => {
    const service = await startPodmanService({ dir });
    // podman's overlay driver bind-mounts its storage onto itself while it runs.
    expect(mounted()).toBe(true);
    await service.stop();
    expect(mounted()).toBe(false);
    await expect(rm(dir, { recursive: true, force: true })).resolves.toBeUndefined();
  });
});

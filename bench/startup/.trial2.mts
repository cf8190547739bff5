import { timeStart } from './pincer-run.ts';
import { Cleanup, freePorts, pincerEnv } from './scratch.ts';
const S = process.argv[2] ?? '';
const scratch = { root: S, dataDir: `${S}/data`, cacheDir: '/work/main/.pincer/cache' };
for (let i = 0; i < 3; i += 1) {
  const ports = await freePorts();
  const run = await timeStart({ command: process.execPath, args: ['apps/cli/bin/pincer.mjs', 'start'], env: pincerEnv(scratch, ports), scratch, ports, timeoutMs: 60000, cleanup: new Cleanup(), leftovers: () => [] });
  console.log(Math.round(run.healthyMs), Math.round(run.shutdownMs), JSON.stringify(Object.fromEntries(Object.entries(run.shutdownMarks).map(([k, v]) => [k, Math.round(v ?? 0)]))));
}

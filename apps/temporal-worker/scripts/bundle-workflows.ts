import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundlePath, workflowsPath } from '../src/bundle.ts';

const started = Date.now();
const { code } = await bundleWorkflowCode({ workflowsPath, logger: undefined });
await mkdir(path.dirname(bundlePath), { recursive: true });
await writeFile(bundlePath, code);
console.log(
  `workflow bundle: ${path.relative(process.cwd(), bundlePath)} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`,
);

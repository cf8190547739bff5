#!/usr/bin/env node
// The `pincer` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
// Exit now: an idle database pool or timer must not keep the command around.
process.exit(await main(process.argv.slice(2)));

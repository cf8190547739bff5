#!/usr/bin/env node
// The `pincer` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main, exitWhenFlushed } = await import('../src/main.ts');
// Exit once the output is written: an idle database pool or timer must not keep the command around,
// and a pipe (`pincer runs show ID | jq`) must get all of it.
await exitWhenFlushed(await main(process.argv.slice(2)));

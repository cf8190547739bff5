// npm run generate -w @pincer/db [-- --force]
import { generateClient } from '../src/generate.ts';

const result = await generateClient({
  force: process.argv.includes('--force'),
  log: (line) => console.log(line),
});
console.log(
  result.generated ? `Prisma client generated in ${result.outputDir}` : 'Prisma client is up to date',
);

import { apiHealthIsOk, answersHttp } from './probes.ts';
const url = process.argv[2] ?? '';
for (let i = 0; i < 3; i += 1) console.log(await answersHttp(url), await apiHealthIsOk(url));

/**
 * `PINCER_BENCH_QUICK=1 npm run bench:engine`: a short run to iterate with (fewer runs, shorter
 * load, one round), printed only; it never writes the results or the docs. The default is the full run.
 */
export const QUICK = process.env.PINCER_BENCH_QUICK === '1';

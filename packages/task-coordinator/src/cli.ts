#!/usr/bin/env node
import { runCli } from './coordinator/cli/run.js';

// `covina-coordinator workers | head`: a closed pipe ends the listing, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Ctrl-C stops `monitor` cleanly (connections closed); a second one exits at once.
const stop = new AbortController();
process.once('SIGINT', () => {
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
});

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: stop.signal,
}).then((code) => {
  process.exitCode = code;
});

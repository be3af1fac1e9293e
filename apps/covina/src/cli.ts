#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { start } from './commands/start.js';

const usage = `usage: covina <command> [options]

commands:
  start            start (or connect to) Redis and run until Ctrl-C
    --data DIR     data dir of the embedded Redis (default ./data)

environment:
  COVINA_REDIS_URL use this Redis instead of an embedded one
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(usage);
    return command || values.help ? 0 : 1;
  }
  switch (command) {
    case 'start':
      await start({ dataDir: values.data, redisUrl: process.env.COVINA_REDIS_URL || undefined });
      return 0;
    default:
      process.stderr.write(`covina: unknown command "${command}"\n${usage}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`covina: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

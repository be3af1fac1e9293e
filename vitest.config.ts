import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Tests import @covina packages from src/ (the "@covina/source" export condition, as tsc does),
// so they never run against a stale build. The aliases below apply the same mapping in every
// vite environment, including the global setup's.
const packages = readdirSync(new URL('./packages', import.meta.url));
const alias = packages.map((name) => ({
  find: new RegExp(`^@covina/${name}$`),
  replacement: new URL(`./packages/${name}/src/index.ts`, import.meta.url).pathname,
}));

// Lua scripts are imported as strings, like tsup's `text` loader does for the build.
const luaAsText = {
  name: 'covina-lua-as-text',
  transform(code: string, id: string) {
    return id.endsWith('.lua') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

export default defineConfig({
  plugins: [luaAsText],
  resolve: { alias, conditions: ['@covina/source', 'module', 'node', 'development|production'] },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    env: { COVINA_LOG_LEVEL: 'warn' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
  },
});

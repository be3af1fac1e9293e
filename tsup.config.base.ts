import { defineConfig, type Options } from 'tsup';

/** The one build every @covina package uses: ESM + CJS + .d.ts for each entry. */
export function packageBuild(entry: string[] = ['src/index.ts'], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } },
    clean: true,
    sourcemap: true,
    target: 'node20',
    shims: true,
    splitting: false,
    // Lua scripts live in .lua files and are bundled as strings (see lua.d.ts in each package).
    loader: { '.lua': 'text' },
    ...extra,
  });
}

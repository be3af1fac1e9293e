// `node --import <repo>/tools/register-lua.mjs`: installs lua-text-loader.mjs before any module loads (benchmarks, CLI tests).
import { register } from 'node:module';

register('./lua-text-loader.mjs', import.meta.url);

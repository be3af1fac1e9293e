export {
  defineLuaScript,
  type KeyCount,
  type LuaScript,
  type LuaScriptOptions,
} from './define-lua-script.js';
export { type LoadScriptsOptions, loadScripts, type ScriptArg, type ScriptRunner } from './load-scripts.js';
export {
  locateHeader,
  readHeader,
  type ScriptHeader,
  validateScriptHeader,
} from './script-header.js';

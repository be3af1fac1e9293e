import { ScriptDefinitionError } from '../errors/script-errors.js';

/** A script's opening comment: its text, and where the code after it starts in the source. */
export interface ScriptHeader {
  text: string;
  end: number;
}

/**
 * The comment block a Lua script must open with (`--[[ … ]]` or consecutive `--` lines) and
 * where the code after it starts. Undefined when the script does not start with a comment.
 */
export function locateHeader(source: string): ScriptHeader | undefined {
  const start = source.length - source.replace(/^\uFEFF?\s*/, '').length;
  const block = /^--\[(=*)\[([\s\S]*?)\]\1\]/.exec(source.slice(start));
  if (block) return { text: block[2] ?? '', end: start + block[0].length };
  const lines = /^(?:[ \t]*--[^\n]*(?:\n|$))+/.exec(source.slice(start));
  if (!lines) return undefined;
  const text = lines[0].replace(/^[ \t]*--/gm, '');
  return { text, end: start + lines[0].length };
}

/** The text of the comment block a Lua script opens with, or undefined when there is none. */
export function readHeader(source: string): string | undefined {
  return locateHeader(source)?.text;
}

function indexes(text: string, array: 'KEYS' | 'ARGV'): Set<number> {
  return new Set([...text.matchAll(new RegExp(`\\b${array}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1])));
}

/** `ARGV[3..]`, `ARGV[3..n]`, `ARGV[3...n]` or `ARGV[3…]`: a variadic tail documented from index 3 on. */
function variadicFrom(text: string, array: 'KEYS' | 'ARGV'): number {
  const match = new RegExp(`\\b${array}\\[(\\d+)\\s*(?:\\.\\.\\.?|…)\\s*[\\w#]*\\]`).exec(text);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

/** `KEYS[i]`, `KEYS[n]`…: keys documented by a symbolic index (one per item of a batch). */
function hasSymbolicIndex(text: string, array: 'KEYS' | 'ARGV'): boolean {
  return new RegExp(`\\b${array}\\[[A-Za-z_#][\\w#+-]*\\]`).test(text);
}

/**
 * Checks that a script documents itself, so every script stays readable on its own:
 * the header names each `KEYS[i]` (exactly `numberOfKeys` of them), names `ARGV` (each index
 * the body reads, or `ARGV: none`), and says what it returns. The body may not read a key
 * beyond `numberOfKeys` (a key outside KEYS breaks Redis Cluster slot routing).
 *
 * A `'variadic'` script documents its keys as a range (`KEYS[1..n]`, `KEYS[2..]`) or with a
 * symbolic index (`KEYS[i]`), after any fixed leading keys (`KEYS[1]`); a fixed-count script
 * may not document either. Throws {@link ScriptDefinitionError} naming the problem.
 */
export function validateScriptHeader(
  name: string,
  numberOfKeys: number | 'variadic',
  source: string,
): string {
  return checkScript(name, numberOfKeys, source).header;
}

/** {@link validateScriptHeader}, also returning the fewest keys a call must pass. */
export function checkScript(
  name: string,
  numberOfKeys: number | 'variadic',
  source: string,
): { header: string; minKeys: number } {
  const fail = (problem: string): never => {
    throw new ScriptDefinitionError(`Lua script "${name}": ${problem}`, {
      context: { script: name, problem },
    });
  };
  const parsed = locateHeader(source);
  if (parsed === undefined) {
    return fail('must start with a comment block documenting KEYS, ARGV and the return value');
  }
  const header = parsed.text;
  const body = source.slice(parsed.end);

  const documentedKeys = indexes(header, 'KEYS');
  const keyTail = variadicFrom(header, 'KEYS');
  const symbolicKeys = hasSymbolicIndex(header, 'KEYS');
  let minKeys: number;
  if (numberOfKeys === 'variadic') {
    if (keyTail === Number.POSITIVE_INFINITY && !symbolicKeys) {
      fail('is variadic: its header must document the keys as KEYS[1..n] (or KEYS[i], one per item)');
    }
    // Fixed leading keys: KEYS[1], KEYS[2]… documented one by one before the variadic part.
    minKeys = 0;
    while (documentedKeys.has(minKeys + 1) && minKeys + 1 < keyTail) minKeys++;
    if (keyTail !== Number.POSITIVE_INFINITY && minKeys !== keyTail - 1) {
      fail(
        `header documents keys from KEYS[${keyTail}..] but not each of KEYS[1]…KEYS[${keyTail - 1}] before them`,
      );
    }
  } else {
    if (keyTail !== Number.POSITIVE_INFINITY || symbolicKeys) {
      fail(
        `header documents a variable number of keys; declare the script 'variadic' instead of ${numberOfKeys}`,
      );
    }
    for (let i = 1; i <= numberOfKeys; i++) {
      if (!documentedKeys.has(i)) fail(`header does not document KEYS[${i}]`);
    }
    for (const i of documentedKeys) {
      if (i < 1 || i > numberOfKeys)
        fail(`header documents KEYS[${i}] but the script takes ${numberOfKeys} keys`);
    }
    if (numberOfKeys === 0 && !/\bKEYS\b/.test(header)) fail('header must say the script takes no KEYS');
    for (const i of indexes(body, 'KEYS')) {
      if (i < 1 || i > numberOfKeys) fail(`reads KEYS[${i}] but the script takes ${numberOfKeys} keys`);
    }
    minKeys = numberOfKeys;
  }

  if (!/\bARGV\b/.test(header)) fail('header does not document ARGV (write "ARGV: none" when there is none)');
  const documentedArgs = indexes(header, 'ARGV');
  const argTail = variadicFrom(header, 'ARGV');
  for (const i of indexes(body, 'ARGV')) {
    if (!documentedArgs.has(i) && i < argTail) fail(`reads ARGV[${i}], which the header does not document`);
  }

  if (!/\b(returns?|output)\b/i.test(header))
    fail('header does not document the return value ("Returns: …")');
  return { header: header.trim(), minKeys };
}

import { KeyParamError, KeyTemplateError } from '../errors.js';
import { defaultTemplates } from '../templates/index.js';
import {
  type CompiledTemplate,
  checkNoExtra,
  checkValue,
  compareTemplates,
  compileTemplate,
  extractParams,
  matchesSegments,
} from './compile.js';
import { escapeGlob } from './glob.js';
import type { ParamNames, ParamsArg, ParamValue, TemplateMap, TemplateParams } from './template-types.js';

export interface KeyRegistryOptions<T extends TemplateMap = TemplateMap> {
  /**
   * Prepended to every key as `<prefix>:`; isolates tenants, environments and tests.
   * No braces or whitespace (it may contain `:`).
   * @default 'covina'
   */
  prefix?: string;
  /**
   * Templates to register besides the defaults (name → template).
   * @default {}
   */
  templates?: T;
  /**
   * Register `defaultTemplates` (the ones every COVINA package uses).
   * @default true
   */
  defaults?: boolean;
}

/** A key read back by `parse()`: the template name and its parameter values. */
export type ParsedKey<T extends TemplateMap> = {
  [N in keyof T & string]: { name: N; params: { [P in ParamNames<T[N]>]: string } };
}[keyof T & string];

/** Template names of a registry type. */
export type KeyName<R> = R extends KeyRegistry<infer T> ? keyof T & string : never;

/** Parameter object of one template of a registry type. */
export type KeyParams<R, N extends KeyName<R>> =
  R extends KeyRegistry<infer T> ? TemplateParams<T[N]> : never;

const PREFIX = /^[^\s{}]+$/;

/**
 * Every Redis key COVINA writes comes from a template registered here: format it, turn it into
 * a SCAN pattern, parse a key back, or read a key's type (metrics are grouped by type).
 *
 * Parsing is unambiguous by construction: each parameter fills one whole `:` segment, values
 * cannot contain `:`, two templates may not describe the same keys (rejected at registration),
 * and when one template's keys are a subset of another's (`queue:delayed` inside
 * `queue:{worker_type}`) the wider one refuses values that would fall into the narrower one.
 */
export class KeyRegistry<T extends TemplateMap = TemplateMap> {
  /** The prefix every key starts with (followed by `:`). */
  readonly prefix: string;
  readonly #head: string;
  readonly #byName = new Map<string, CompiledTemplate>();
  readonly #bySegmentCount = new Map<number, CompiledTemplate[]>();

  constructor(options: KeyRegistryOptions<T> = {}) {
    const prefix = options.prefix ?? 'covina';
    if (!PREFIX.test(prefix)) {
      throw new KeyTemplateError(
        `Key prefix ${JSON.stringify(prefix)} must be non-empty without braces or whitespace`,
        '(prefix)',
      );
    }
    this.prefix = prefix;
    this.#head = `${prefix}:`;
    this.#add({ ...(options.defaults === false ? {} : defaultTemplates), ...options.templates });
  }

  /**
   * Registers one more template and returns this registry, typed to know it. The registry
   * itself is changed too, so keys of the new type also parse on any reference to it.
   */
  register<const N extends string, const Tpl extends string>(
    name: N,
    template: Tpl,
  ): KeyRegistry<T & { readonly [K in N]: Tpl }> {
    this.#add({ [name]: template });
    return this as unknown as KeyRegistry<T & { readonly [K in N]: Tpl }>;
  }

  /** Registers several templates at once (all or none) and returns this registry, typed to know them. */
  extend<const M extends TemplateMap>(templates: M): KeyRegistry<T & M> {
    this.#add(templates);
    return this as unknown as KeyRegistry<T & M>;
  }

  /** Is `name` a registered template? */
  has(name: string): name is keyof T & string {
    return this.#byName.has(name);
  }

  /** Registered template names, in registration order. */
  names(): Array<keyof T & string> {
    return [...this.#byName.keys()] as Array<keyof T & string>;
  }

  /** The template string registered under `name`. */
  template<N extends keyof T & string>(name: N): T[N] {
    return this.#get(name).template as T[N];
  }

  /** Parameter names of a template, in template order. */
  paramsOf(name: keyof T & string): readonly string[] {
    return this.#get(name).params;
  }

  /** Names of every template that has a parameter called `param` (e.g. `document_uuid`). */
  namesWithParam(param: string): Array<keyof T & string> {
    return this.names().filter((n) => this.#get(n).params.includes(param));
  }

  /** Builds a key: `format('task', { pipeline: 'docs', id: 't1' })` → `covina:{docs}:task:t1`. */
  format<N extends keyof T & string>(name: N, ...params: ParamsArg<T[N]>): string {
    return this.formatDynamic(name, params[0]);
  }

  /**
   * `format()` for a name known only at run time: the same checks, at run time only.
   * @throws KeyParamError for a missing, extra or invalid parameter.
   */
  formatDynamic(name: string, params: Readonly<Record<string, ParamValue>> = {}): string {
    const t = this.#get(name);
    checkNoExtra(t, params);
    // Every cache read formats a key: literal pieces and values, concatenated (no arrays).
    const { pieces, params: names } = t;
    let key = this.#head + pieces[0]!;
    for (let i = 0; i < names.length; i++) {
      const param = names[i]!;
      key += checkValue(t, param, params[param]) + pieces[i + 1]!;
    }
    if (t.narrower.length > 0) {
      const parts = key.slice(this.#head.length).split(':');
      const shadow = t.narrower.find((n) => matchesSegments(n, parts));
      if (shadow) {
        throw new KeyParamError(
          `Key "${name}" with ${JSON.stringify(params)} would be ${key}, a key of template "${shadow.name}" ` +
            `(${shadow.template}); use another value`,
          name,
        );
      }
    }
    return key;
  }

  /**
   * A glob for SCAN MATCH: given values are escaped (a value never widens the pattern),
   * omitted ones become `*`. A glob `*` can also match `:`, so a pattern may match keys of a
   * longer template: confirm each key with `matches()` (as `Cache.invalidatePattern` does).
   */
  pattern<N extends keyof T & string>(name: N, params: Partial<TemplateParams<T[N]>> = {}): string {
    const t = this.#get(name);
    checkNoExtra(t, params);
    const values = params as Record<string, ParamValue | undefined>;
    const parts = t.segments.map((s) => {
      if (s.kind === 'literal') return escapeGlob(s.text);
      const value = values[s.name];
      const glob = value === undefined ? '*' : escapeGlob(checkValue(t, s.name, value));
      return s.kind === 'tag' ? `{${glob}}` : glob;
    });
    return `${escapeGlob(this.#head)}${parts.join(':')}`;
  }

  /** Reads a key back into its template name and parameters; `undefined` if no template made it. */
  parse(key: string): ParsedKey<T> | undefined {
    if (!key.startsWith(this.#head)) return undefined;
    const parts = key.slice(this.#head.length).split(':');
    const t = this.#match(parts);
    return t ? ({ name: t.name, params: extractParams(t, parts) } as ParsedKey<T>) : undefined;
  }

  /** The template name of a key (its type, for metrics), or `undefined`. */
  typeOf(key: string): (keyof T & string) | undefined {
    if (!key.startsWith(this.#head)) return undefined;
    return this.#match(key.slice(this.#head.length).split(':'))?.name as (keyof T & string) | undefined;
  }

  /** Is `key` a key of template `name`, with the given parameter values (others free)? */
  matches<N extends keyof T & string>(
    key: string,
    name: N,
    params: Partial<TemplateParams<T[N]>> = {},
  ): boolean {
    const parsed = this.parse(key);
    if (parsed?.name !== name) return false;
    const actual = parsed.params as Record<string, string>;
    return Object.entries(params).every(([k, v]) => v === undefined || actual[k] === String(v));
  }

  #get(name: string): CompiledTemplate {
    const t = this.#byName.get(name);
    if (!t) throw new KeyTemplateError(`No key template named "${name}" is registered`, name);
    return t;
  }

  /** The most specific template matching these segments (matches form a chain, see #add). */
  #match(parts: readonly string[]): CompiledTemplate | undefined {
    let best: CompiledTemplate | undefined;
    for (const t of this.#bySegmentCount.get(parts.length) ?? []) {
      if ((!best || t.literalCount > best.literalCount) && matchesSegments(t, parts)) best = t;
    }
    return best;
  }

  #add(templates: TemplateMap): void {
    const incoming = Object.entries(templates).map(([name, tpl]) => compileTemplate(name, tpl));
    const all = [...this.#byName.values()];
    const links: Array<[wider: CompiledTemplate, narrower: CompiledTemplate]> = [];
    for (const t of incoming) {
      if (this.#byName.has(t.name)) {
        throw new KeyTemplateError(`A key template named "${t.name}" is already registered`, t.name);
      }
      for (const other of all) {
        const overlap = compareTemplates(t, other);
        if (overlap === 'same' || overlap === 'crossing') {
          throw new KeyTemplateError(
            overlap === 'same'
              ? `Template "${t.name}" (${t.template}) describes the same keys as "${other.name}" (${other.template})`
              : `Templates "${t.name}" (${t.template}) and "${other.name}" (${other.template}) overlap without ` +
                  'one containing the other, so some keys would be ambiguous',
            t.name,
          );
        }
        if (overlap === 'a-narrower') links.push([other, t]);
        if (overlap === 'b-narrower') links.push([t, other]);
      }
      all.push(t);
    }
    for (const [wider, narrower] of links) wider.narrower.push(narrower);
    for (const t of incoming) {
      this.#byName.set(t.name, t);
      const list = this.#bySegmentCount.get(t.segments.length) ?? [];
      list.push(t);
      this.#bySegmentCount.set(t.segments.length, list);
    }
  }
}

/**
 * A registry with every default template: `createKeyRegistry({ prefix: 'covina' })`.
 * Add your own with `register(name, template)` or the `templates` option.
 */
export function createKeyRegistry<const T extends TemplateMap = Record<never, string>>(
  options: KeyRegistryOptions<T> = {},
): KeyRegistry<typeof defaultTemplates & T> {
  return new KeyRegistry<typeof defaultTemplates & T>(
    options as KeyRegistryOptions<typeof defaultTemplates & T>,
  );
}

/**
 * The run-time view of any registry, for code that handles keys whose template names are only
 * known at run time (migrations, tools). Every `KeyRegistry` fits it.
 */
export interface AnyKeyRegistry {
  readonly prefix: string;
  has(name: string): boolean;
  names(): string[];
  paramsOf(name: string): readonly string[];
  namesWithParam(param: string): string[];
  formatDynamic(name: string, params?: Readonly<Record<string, ParamValue>>): string;
  pattern(name: string, params?: Readonly<Record<string, ParamValue | undefined>>): string;
  parse(key: string): { name: string; params: Record<string, string> } | undefined;
  typeOf(key: string): string | undefined;
  matches(key: string, name: string, params?: Readonly<Record<string, ParamValue | undefined>>): boolean;
}

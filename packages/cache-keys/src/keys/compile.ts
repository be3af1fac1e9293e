import { KeyParamError, KeyTemplateError } from '../errors.js';

/** One `:`-separated piece of a template. */
export type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  /** `{{name}}`: the value is emitted inside literal braces, a Redis Cluster hash tag. */
  | { readonly kind: 'tag'; readonly name: string };

export interface CompiledTemplate {
  readonly name: string;
  readonly template: string;
  readonly segments: readonly Segment[];
  /** Parameter names in template order. */
  readonly params: readonly string[];
  /**
   * The literal text around the parameters, `params.length + 1` pieces, separators and hash-tag
   * braces included: a key is `pieces[0] + value0 + pieces[1] + value1 + …` (prefix aside).
   */
  readonly pieces: readonly string[];
  /** Number of literal segments: with overlapping templates, more literals = more specific. */
  readonly literalCount: number;
  /** Templates whose keys are a strict subset of this one's (a value must not fall into them). */
  readonly narrower: CompiledTemplate[];
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TAG_SEGMENT = /^\{\{([^{}]*)\}\}$/;
const PARAM_SEGMENT = /^\{([^{}]*)\}$/;
/** A literal segment: no braces, no whitespace, no glob characters. */
const LITERAL_SEGMENT = /^[^\s{}*?[\]\\]+$/;
/**
 * A parameter value: non-empty, without `:` (the separator, so parsing is a split), braces
 * (they would forge or break a hash tag) or whitespace. Ids in COVINA are uuids and slugs.
 */
const VALUE = /^[^\s:{}]+$/;

export function isValidValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Reads a template. Each segment must be a literal, `{param}` or `{{param}}` on its own, so
 * every value fills exactly one segment and a key parses back by splitting on `:`.
 */
export function compileTemplate(name: string, template: string): CompiledTemplate {
  if (name.length === 0 || /\s/.test(name)) {
    throw new KeyTemplateError(
      `Template name ${JSON.stringify(name)} must be non-empty without whitespace`,
      name,
    );
  }
  if (template.length === 0) throw new KeyTemplateError(`Template "${name}" is empty`, name);
  const segments: Segment[] = [];
  const params: string[] = [];
  for (const piece of template.split(':')) {
    const tag = TAG_SEGMENT.exec(piece);
    const param = tag ? undefined : PARAM_SEGMENT.exec(piece);
    const paramName = tag?.[1] ?? param?.[1];
    if (paramName !== undefined) {
      if (!PARAM_NAME.test(paramName)) {
        throw new KeyTemplateError(
          `Template "${name}" (${template}): parameter name ${JSON.stringify(paramName)} must match ${PARAM_NAME}`,
          name,
        );
      }
      if (params.includes(paramName)) {
        throw new KeyTemplateError(`Template "${name}" (${template}) uses {${paramName}} twice`, name);
      }
      params.push(paramName);
      segments.push({ kind: tag ? 'tag' : 'param', name: paramName });
    } else if (LITERAL_SEGMENT.test(piece)) {
      segments.push({ kind: 'literal', text: piece });
    } else {
      throw new KeyTemplateError(
        `Template "${name}" (${template}): segment ${JSON.stringify(piece)} must be a literal ` +
          '(no braces, whitespace or glob characters), {param} or {{param}}, and segments are separated by ":"',
        name,
      );
    }
  }
  const literalCount = segments.filter((s) => s.kind === 'literal').length;
  return { name, template, segments, params, pieces: piecesOf(segments), literalCount, narrower: [] };
}

function piecesOf(segments: readonly Segment[]): string[] {
  const pieces = [''];
  segments.forEach((s, i) => {
    const separator = i === 0 ? '' : ':';
    if (s.kind === 'literal') pieces[pieces.length - 1] += separator + s.text;
    else {
      pieces[pieces.length - 1] += separator + (s.kind === 'tag' ? '{' : '');
      pieces.push(s.kind === 'tag' ? '}' : '');
    }
  });
  return pieces;
}

/** How the key sets of two templates relate. */
export type Overlap = 'disjoint' | 'same' | 'a-narrower' | 'b-narrower' | 'crossing';

export function compareTemplates(a: CompiledTemplate, b: CompiledTemplate): Overlap {
  if (a.segments.length !== b.segments.length) return 'disjoint';
  let aNarrower = false;
  let bNarrower = false;
  for (let i = 0; i < a.segments.length; i++) {
    const x = a.segments[i]!;
    const y = b.segments[i]!;
    if (x.kind === 'literal' && y.kind === 'literal') {
      if (x.text !== y.text) return 'disjoint';
    } else if (x.kind === 'literal' && y.kind === 'param') {
      aNarrower = true;
    } else if (x.kind === 'param' && y.kind === 'literal') {
      bNarrower = true;
    } else if (x.kind !== y.kind) {
      // A tag value is always braced, a literal or plain value never is.
      return 'disjoint';
    }
  }
  if (aNarrower && bNarrower) return 'crossing';
  if (aNarrower) return 'a-narrower';
  if (bNarrower) return 'b-narrower';
  return 'same';
}

/** Does a key's segment list (prefix removed) belong to this template? */
export function matchesSegments(t: CompiledTemplate, parts: readonly string[]): boolean {
  if (parts.length !== t.segments.length) return false;
  for (let i = 0; i < parts.length; i++) {
    const s = t.segments[i]!;
    const part = parts[i]!;
    if (s.kind === 'literal') {
      if (part !== s.text) return false;
    } else if (s.kind === 'tag') {
      if (part.length < 3 || part[0] !== '{' || part[part.length - 1] !== '}') return false;
      if (!VALUE.test(part.slice(1, -1))) return false;
    } else if (!VALUE.test(part)) {
      return false;
    }
  }
  return true;
}

/** Extracts parameter values from a key's segments already known to match `t`. */
export function extractParams(t: CompiledTemplate, parts: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const s = t.segments[i]!;
    if (s.kind === 'param') params[s.name] = parts[i]!;
    else if (s.kind === 'tag') params[s.name] = parts[i]!.slice(1, -1);
  }
  return params;
}

/** Checks one value and returns its string form. */
export function checkValue(t: CompiledTemplate, param: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new KeyParamError(
      value === undefined
        ? `Key "${t.name}" (${t.template}) needs parameter "${param}"`
        : `Key "${t.name}": parameter "${param}" must be a string or number, got ${typeof value}`,
      t.name,
      param,
    );
  }
  const text = typeof value === 'number' ? String(value) : value;
  if (!VALUE.test(text)) {
    throw new KeyParamError(
      `Key "${t.name}": parameter "${param}" is ${JSON.stringify(text)}; values must be non-empty ` +
        'without ":", "{", "}" or whitespace',
      t.name,
      param,
    );
  }
  return text;
}

/** Rejects parameters the template does not have. */
export function checkNoExtra(t: CompiledTemplate, params: object): void {
  // Fast path (every format call), without allocating: as many keys as the template has
  // parameters, and each of those present, leaves no room for an extra one.
  let own = 0;
  for (const key in params) if (Object.hasOwn(params, key)) own++;
  if (own === t.params.length) {
    let all = true;
    for (const p of t.params) if (!Object.hasOwn(params, p)) all = false;
    if (all) return;
  }
  for (const key of Object.keys(params)) {
    if (!t.params.includes(key)) {
      throw new KeyParamError(
        `Key "${t.name}" (${t.template}) has no parameter "${key}" (it takes: ${t.params.join(', ') || 'none'})`,
        t.name,
        key,
      );
    }
  }
}

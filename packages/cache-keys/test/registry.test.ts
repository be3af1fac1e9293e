import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createKeyRegistry,
  defaultTemplates,
  KeyParamError,
  KeyRegistry,
  KeyTemplateError,
  pipelineTemplates,
  standardTemplates,
} from '../src/index.js';

const withTask = () =>
  createKeyRegistry({ prefix: 'covina' })
    .register('task', '{{pipeline}}:task:{id}')
    .register('taskDeps', '{{pipeline}}:task:{id}:deps');

describe('format', () => {
  it('builds keys with the prefix and hash tags', () => {
    const keys = withTask();
    expect(keys.format('task', { pipeline: 'docs', id: 't1' })).toBe('covina:{docs}:task:t1');
    expect(keys.format('docState', { document_uuid: 'abc' })).toBe('covina:doc:state:abc');
    expect(keys.format('jobStatus', { uuid: 'u1' })).toBe('covina:job:u1:status');
    expect(keys.format('toolRegistry')).toBe('covina:tool_registry');
    expect(keys.format('task', { pipeline: 'p', id: 42 })).toBe('covina:{p}:task:42');
  });

  it('uses the default prefix covina and a custom one', () => {
    expect(createKeyRegistry().format('docOcr', { document_uuid: 'd' })).toBe('covina:doc:ocr:d');
    const tenant = createKeyRegistry({ prefix: 'tenant:a' });
    expect(tenant.prefix).toBe('tenant:a');
    expect(tenant.format('docOcr', { document_uuid: 'd' })).toBe('tenant:a:doc:ocr:d');
    expect(tenant.parse('tenant:a:doc:ocr:d')).toEqual({ name: 'docOcr', params: { document_uuid: 'd' } });
  });

  it('rejects missing, extra and invalid parameters at run time', () => {
    const keys = withTask();
    const loose = keys as unknown as { format(n: string, p?: object): string };
    expect(() => loose.format('task', { pipeline: 'docs' })).toThrow(KeyParamError);
    expect(() => loose.format('task', { pipeline: 'docs', id: 't', extra: 1 })).toThrow(
      /no parameter "extra"/,
    );
    for (const bad of ['', 'a:b', 'a{b', 'b}', 'a b', 'tab\t', 'nl\n']) {
      const err = (() => {
        try {
          keys.format('task', { pipeline: 'docs', id: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(KeyParamError);
      expect(err).toMatchObject({ code: 'E_KEY_PARAM', template: 'task', param: 'id' });
    }
    expect(() => loose.format('nope', {})).toThrow(KeyTemplateError);
  });

  it('checks parameters at compile time', () => {
    const keys = withTask();
    // @ts-expect-error missing id
    expect(() => keys.format('task', { pipeline: 'docs' })).toThrow();
    // @ts-expect-error extra parameter
    expect(() => keys.format('task', { pipeline: 'docs', id: 'x', other: 'y' })).toThrow();
    // @ts-expect-error unknown template
    expect(() => keys.format('unknown', {})).toThrow();
    // @ts-expect-error docState needs its document_uuid
    expect(() => keys.format('docState')).toThrow();
    expectTypeOf(keys.parse('x')).toEqualTypeOf<ReturnType<typeof keys.parse>>();
    const parsed = keys.parse('covina:{docs}:task:t1');
    if (parsed?.name === 'task')
      expectTypeOf(parsed.params).toEqualTypeOf<{ pipeline: string; id: string }>();
  });
});

describe('pattern', () => {
  it('escapes glob characters in values and stars omitted ones', () => {
    const keys = withTask();
    expect(keys.pattern('task', { pipeline: 'docs' })).toBe('covina:{docs}:task:*');
    expect(keys.pattern('task')).toBe('covina:{*}:task:*');
    expect(keys.pattern('task', { pipeline: 'a*b?[c]\\', id: 'x' })).toBe(
      'covina:{a\\*b\\?\\[c\\]\\\\}:task:x',
    );
    expect(createKeyRegistry({ prefix: 'we*rd' }).pattern('toolRegistry')).toBe('we\\*rd:tool_registry');
    expect(() => keys.pattern('task', { pipeline: 'a:b' })).toThrow(KeyParamError);
  });

  it('a value never widens the pattern (checked against real SCAN in cache tests); matches() confirms', () => {
    const keys = withTask();
    expect(keys.matches('covina:{docs}:task:t1', 'task', { pipeline: 'docs' })).toBe(true);
    expect(keys.matches('covina:{docs}:task:t1:deps', 'task', { pipeline: 'docs' })).toBe(false);
    expect(keys.matches('covina:{docs}:task:t1', 'task', { pipeline: 'other' })).toBe(false);
  });
});

describe('parse and typeOf', () => {
  it('reads keys back', () => {
    const keys = withTask();
    expect(keys.parse('covina:{docs}:task:t1')).toEqual({
      name: 'task',
      params: { pipeline: 'docs', id: 't1' },
    });
    expect(keys.parse('covina:{docs}:task:t1:deps')?.name).toBe('taskDeps');
    expect(keys.typeOf('covina:job:textract:status:j1')).toBe('textractJobStatus');
    expect(keys.typeOf('covina:job:j1:status')).toBe('jobStatus');
    expect(keys.typeOf('covina:tool_registry')).toBe('toolRegistry');
  });

  it('returns undefined for foreign or malformed keys', () => {
    const keys = withTask();
    for (const k of [
      'other:{docs}:task:t1',
      'covina:docs:task:t1',
      'covina:{}:task:t1',
      'covina:{docs}:task:',
      'covina:{docs}:task:t 1',
      'covina',
      'covina:',
      '',
    ]) {
      expect(keys.parse(k), k).toBeUndefined();
    }
  });
});

describe('register', () => {
  it('returns a registry that knows the new type (and registers it on the original)', () => {
    const keys = createKeyRegistry();
    const mine = keys.register('thumb', 'cache:thumb:{document_uuid}');
    expect(mine.format('thumb', { document_uuid: 'd1' })).toBe('covina:cache:thumb:d1');
    expect(keys.typeOf('covina:cache:thumb:d1')).toBe('thumb');
    expect(mine.namesWithParam('document_uuid')).toEqual(['docState', 'docOcr', 'thumb']);
  });

  it('rejects a duplicate name, the same shape, and crossing overlaps', () => {
    const keys = createKeyRegistry();
    expect(() => keys.register('docState', 'other:{x}')).toThrow(/already registered/);
    expect(() => keys.register('docState2', 'doc:state:{uuid}')).toThrow(/same keys as "docState"/);
    keys.register('a', 'x:{p}:c');
    expect(() => keys.register('b', 'x:b:{q}')).toThrow(/overlap/);
    expect(() => keys.extend({ ok: 'fine:{a}', bad: 'fine:{b}' })).toThrow(KeyTemplateError);
    expect(keys.has('ok')).toBe(false);
  });

  it('rejects malformed templates', () => {
    const keys = createKeyRegistry({ defaults: false });
    for (const bad of [
      '',
      'a::b',
      'a:{p}x',
      'a:{p}{q}',
      'a:{bad-name}',
      'a:{p}:{p}',
      'a b',
      'a*',
      'a:{{p}',
      'x{{p}}',
    ]) {
      expect(() => keys.register(`t${bad}`, bad), bad).toThrow(KeyTemplateError);
    }
    expect(() => new KeyRegistry({ prefix: 'a{b' })).toThrow(KeyTemplateError);
    expect(() => new KeyRegistry({ prefix: '' })).toThrow(KeyTemplateError);
  });

  it('keeps nested templates apart: the wider one refuses values of the narrower one', () => {
    const keys = createKeyRegistry({ defaults: false })
      .register('queue', '{{pipeline}}:queue:{worker_type}')
      .register('delayed', '{{pipeline}}:queue:delayed');
    expect(keys.format('delayed', { pipeline: 'p' })).toBe('covina:{p}:queue:delayed');
    expect(keys.typeOf('covina:{p}:queue:delayed')).toBe('delayed');
    expect(keys.typeOf('covina:{p}:queue:nlp')).toBe('queue');
    expect(() => keys.format('queue', { pipeline: 'p', worker_type: 'delayed' })).toThrow(
      /template "delayed"/,
    );
  });

  it("ships the product's standard templates and tags every pipeline-state key with {pipeline}", () => {
    expect(standardTemplates).toMatchObject({
      docState: 'doc:state:{document_uuid}',
      docOcr: 'doc:ocr:{document_uuid}',
      textractJobStatus: 'job:textract:status:{job_id}',
      queueLock: 'queue:lock:{queue_id}',
      openaiRate: 'rate:openai:{function_name}',
      jobStatus: 'job:{uuid}:status',
      toolRegistry: 'tool_registry',
    });
    const keys = createKeyRegistry();
    expect(keys.format('queueLock', { queue_id: 'q1' })).toBe('covina:queue:lock:q1');
    expect(keys.format('openaiRate', { function_name: 'summarize' })).toBe('covina:rate:openai:summarize');
    // Pub/sub channels aside, every key of a pipeline shares its hash slot.
    const channels = new Set(['pipelineUpdatesChannel', 'pipelineWakeChannel']);
    for (const [name, template] of Object.entries(pipelineTemplates)) {
      if (!channels.has(name)) expect(template, name).toMatch(/^\{\{pipeline\}\}:/);
    }
    expect(keys.format('pipelineTasks', { pipeline: 'docs' })).toBe('covina:{docs}:tasks');
  });

  it('every default template is registered and well formed', () => {
    const keys = createKeyRegistry();
    expect(keys.names()).toEqual(Object.keys(defaultTemplates));
  });
});

describe('round trips (property based)', () => {
  const value = fc.stringMatching(/^[^\s:{}]+$/, { maxLength: 24 }).filter((s) => s.length > 0);
  const literal = fc.stringMatching(/^[a-z_]{1,6}$/);
  const segment = fc.oneof(
    literal.map((text) => ({ kind: 'literal' as const, text })),
    fc.constant({ kind: 'param' as const }),
    fc.constant({ kind: 'tag' as const }),
  );

  it('parse(format(x)) === x for arbitrary templates and values', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.array(value, { minLength: 5, maxLength: 5 }),
        (segs, values) => {
          const names = segs.map((_, i) => `p${i}`);
          const template = segs
            .map((s, i) => (s.kind === 'literal' ? s.text : s.kind === 'tag' ? `{{p${i}}}` : `{p${i}}`))
            .join(':');
          const keys = createKeyRegistry({ defaults: false, prefix: 'pbt' }).register('t', template);
          const params: Record<string, string> = {};
          segs.forEach((s, i) => {
            if (s.kind !== 'literal') params[names[i]!] = values[i]!;
          });
          const key = keys.formatDynamic('t', params);
          expect(keys.parse(key)).toEqual({ name: 't', params });
          expect(keys.typeOf(key)).toBe('t');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with all default templates plus pipeline-like ones, every formatted key parses to its own template', () => {
    const keys = withTask();
    const names = keys.names();
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(value, { minLength: 4, maxLength: 4 }),
        (name, values) => {
          const params = Object.fromEntries(keys.paramsOf(name).map((p, i) => [p, values[i]!]));
          let key: string;
          try {
            key = keys.formatDynamic(name, params);
          } catch (e) {
            // Only a value that lands in a narrower template may be refused.
            expect(e).toBeInstanceOf(KeyParamError);
            expect(String(e)).toMatch(/use another value/);
            return;
          }
          expect(keys.parse(key)).toEqual({ name, params });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a pattern with every value given matches only that key (glob semantics via a reference matcher)', () => {
    const keys = withTask();
    fc.assert(
      fc.property(value, value, (pipeline, id) => {
        const pattern = keys.pattern('task', { pipeline, id });
        const key = keys.format('task', { pipeline, id });
        // Unescaping the pattern must give back exactly the key: no glob character is left active.
        expect(/(^|[^\\])[*?[\]]/.test(pattern.replace(/\\\\/g, ''))).toBe(false);
        expect(pattern.replace(/\\(.)/g, '$1')).toBe(key);
      }),
      { numRuns: 300 },
    );
  });
});

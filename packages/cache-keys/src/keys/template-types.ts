/**
 * Type-level reading of a template string, so `format('task', { pipeline, id })` is checked by
 * the compiler: a missing or extra parameter is a compile error.
 *
 * `{name}` is a parameter, `{{name}}` a parameter emitted inside literal braces (hash tag).
 */
export type ParamNames<Template extends string> = Template extends `${string}{${infer After}`
  ? After extends `{${infer Name}}}${infer Rest}`
    ? Name | ParamNames<Rest>
    : After extends `${infer Name}}${infer Rest}`
      ? Name | ParamNames<Rest>
      : never
  : never;

/** A parameter value: strings, or numbers (formatted with `String()`). */
export type ParamValue = string | number;

/** The exact parameter object of a template. */
export type TemplateParams<Template extends string> = { [K in ParamNames<Template>]: ParamValue };

/** Templates without parameters take no params argument (or an empty object). */
export type ParamsArg<Template extends string> = [ParamNames<Template>] extends [never]
  ? [params?: Record<string, never>]
  : [params: TemplateParams<Template>];

/** Name → template map, as each `templates/*.ts` file exports it. */
export type TemplateMap = { readonly [name: string]: string };

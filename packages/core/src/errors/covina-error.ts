/** Options every COVINA error accepts. */
export interface CovinaErrorOptions<Context extends object> {
  /** Typed facts about the failure (ids, names, limits); never secrets. */
  context?: Context;
  /** The underlying error, kept for stack traces and `instanceof` checks on the cause. */
  cause?: unknown;
  /** Overrides the class's static `code` (for rare one-off codes; prefer a subclass). */
  code?: string;
}

/**
 * Base class of every error a COVINA package throws.
 *
 * Each subclass names one failure kind and carries a stable `code` (`E_*`) that callers can
 * switch on even across duplicated package copies (where `instanceof` fails). Subclasses set the
 * code once as a static field (`static override readonly code = 'E_LEASE_LOST'`) or as an
 * instance field, and narrow `context` with `declare readonly context: LeaseLostContext`.
 *
 * ```ts
 * export class LeaseLostError extends CovinaError<{ taskId: string }> {
 *   static override readonly code = 'E_LEASE_LOST';
 * }
 * throw new LeaseLostError(`Lease on task ${id} was lost`, { context: { taskId: id } });
 * ```
 */
export class CovinaError<Context extends object = Record<string, unknown>> extends Error {
  /** Code of errors of this class; read by the constructor when no `code` option is given. */
  static readonly code: string = 'E_COVINA';

  /** Stable machine-readable failure kind, `E_*`. */
  readonly code: string;
  /** Typed facts about the failure, when the thrower had any. */
  readonly context?: Context;

  constructor(message: string, options: CovinaErrorOptions<Context> = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = options.code ?? (new.target as typeof CovinaError).code;
    if (options.context !== undefined) this.context = options.context;
  }

  /** Structured form for loggers (pino serialises `err` with this). */
  toJSON(): { name: string; code: string; message: string; context?: Context } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.context === undefined ? {} : { context: this.context }),
    };
  }
}

/**
 * True when `error` is a COVINA error (optionally of one `code`). Works across package copies,
 * where `instanceof CovinaError` would not.
 */
export function isCovinaError(error: unknown, code?: string): error is CovinaError {
  if (!(error instanceof Error)) return false;
  const actual = (error as { code?: unknown }).code;
  if (typeof actual !== 'string' || !actual.startsWith('E_')) return false;
  return code === undefined || actual === code;
}

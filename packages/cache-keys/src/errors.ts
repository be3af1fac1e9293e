/** Base class: every error this package throws has a stable `code`. */
export class CacheKeysError extends Error {
  readonly code: string = 'E_CACHE_KEYS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A key parameter is missing, unexpected, or has a value a key may not contain. */
export class KeyParamError extends CacheKeysError {
  override readonly code = 'E_KEY_PARAM';
  constructor(
    message: string,
    /** Template name the call was for. */
    readonly template: string,
    /** Parameter at fault, when there is one. */
    readonly param?: string,
  ) {
    super(message);
  }
}

/** A template is malformed, its name is taken, or it would make keys ambiguous. */
export class KeyTemplateError extends CacheKeysError {
  override readonly code = 'E_KEY_TEMPLATE';
  constructor(
    message: string,
    /** Template name being registered (or looked up). */
    readonly template: string,
  ) {
    super(message);
  }
}

/** Redis is down, reconnecting, or the circuit breaker is open: the cache runs without it. */
export class CacheUnavailableError extends CacheKeysError {
  override readonly code = 'E_CACHE_UNAVAILABLE';
  constructor(
    /** Connection status when the call was refused (`reconnecting`, `end`, `breaker-open`…). */
    readonly status: string,
    options?: { cause?: unknown },
  ) {
    super(`Redis is unavailable (${status}); the cache serves misses and drops writes`, options);
  }
}

/** A Redis command did not answer within `commandTimeoutMs`. */
export class CacheTimeoutError extends CacheKeysError {
  override readonly code = 'E_CACHE_TIMEOUT';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`Redis ${operation} did not answer within ${timeoutMs} ms`);
  }
}

/** A stored value could not be read back (not written by this cache, or the serializer failed). */
export class CacheCorruptEntryError extends CacheKeysError {
  override readonly code = 'E_CACHE_CORRUPT_ENTRY';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`Cached value at ${key} is not a COVINA cache entry or cannot be deserialized`, options);
  }
}

/** A value cannot be serialized by the cache's serializer (nothing was stored). */
export class CacheSerializeError extends CacheKeysError {
  override readonly code = 'E_CACHE_SERIALIZE';
}

/** An option has a value the cache cannot use. */
export class InvalidOptionError extends CacheKeysError {
  override readonly code = 'E_INVALID_OPTION';
  constructor(
    /** The option at fault. */
    readonly field: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`Option "${field}" must be ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** A key migration cannot run as asked (nothing was changed). */
export class MigrationError extends CacheKeysError {
  override readonly code: string = 'E_MIGRATION';
}

/** Target keys of a migration already exist, or several sources map to one target. */
export class MigrationConflictError extends MigrationError {
  override readonly code = 'E_MIGRATION_CONFLICT';
  constructor(
    message: string,
    /** Up to 20 conflicting target keys. */
    readonly conflicts: string[],
  ) {
    super(message);
  }
}

/** After a migration, the keys found do not match the plan. */
export class MigrationVerifyError extends MigrationError {
  override readonly code = 'E_MIGRATION_VERIFY';
  constructor(
    message: string,
    readonly expected: number,
    readonly found: number,
  ) {
    super(message);
  }
}

export const errors = {
  E_CACHE_KEYS: CacheKeysError,
  E_KEY_PARAM: KeyParamError,
  E_KEY_TEMPLATE: KeyTemplateError,
  E_CACHE_UNAVAILABLE: CacheUnavailableError,
  E_CACHE_TIMEOUT: CacheTimeoutError,
  E_CACHE_CORRUPT_ENTRY: CacheCorruptEntryError,
  E_CACHE_SERIALIZE: CacheSerializeError,
  E_INVALID_OPTION: InvalidOptionError,
  E_MIGRATION: MigrationError,
  E_MIGRATION_CONFLICT: MigrationConflictError,
  E_MIGRATION_VERIFY: MigrationVerifyError,
} as const;

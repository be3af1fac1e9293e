export { Cache, type KeyRef, type WarmEntry, type WarmOptions } from './cache/cache.js';
export type { MemoryTierOptions } from './cache/memory-tier.js';
export type { CacheMetrics, CacheMetricsSnapshot, CacheTypeStats } from './cache/metrics.js';
export type {
  CacheErrorEvent,
  CacheLogger,
  CacheOptions,
  GetOptions,
  GetOrSetOptions,
  LoaderContext,
  SetOptions,
} from './cache/options.js';
export { type CacheMetricsRegistration, registerCacheMetrics } from './cache/prometheus.js';
export type { RedisClient } from './cache/redis-gate.js';
export { type BinarySerializer, jsonSerializer, type Serializer, v8Serializer } from './cache/serializer.js';
export type { StampedeOptions } from './cache/stampede.js';
export {
  CacheCorruptEntryError,
  CacheKeysError,
  CacheSerializeError,
  CacheTimeoutError,
  CacheUnavailableError,
  errors,
  InvalidOptionError,
  KeyParamError,
  KeyTemplateError,
  MigrationConflictError,
  MigrationError,
  MigrationVerifyError,
} from './errors.js';
export { escapeGlob } from './keys/glob.js';
export {
  type AnyKeyRegistry,
  createKeyRegistry,
  type KeyName,
  type KeyParams,
  KeyRegistry,
  type KeyRegistryOptions,
  type ParsedKey,
} from './keys/registry.js';
export type {
  ParamNames,
  ParamsArg,
  ParamValue,
  TemplateMap,
  TemplateParams,
} from './keys/template-types.js';
export {
  type KeyMove,
  type MigrateKeysOptions,
  type MigrationPhase,
  type MigrationPlan,
  type MigrationReport,
  migrateKeys,
  type RestoreBackupOptions,
  restoreKeysBackup,
} from './migrate/migrate.js';
export {
  coordinationTemplates,
  defaultTemplates,
  pipelineTemplates,
  rateTemplates,
  standardTemplates,
  stateTemplates,
} from './templates/index.js';

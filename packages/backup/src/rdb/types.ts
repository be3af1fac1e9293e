/** RDB object types (the first byte of a DUMP payload), as in Redis's `rdb.h`. */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

/** Redis data type (as `TYPE` names it) of an RDB object type. */
export function redisTypeName(rdbType: number): string {
  switch (rdbType) {
    case RdbType.STRING:
      return 'string';
    case RdbType.LIST:
    case RdbType.LIST_ZIPLIST:
    case RdbType.LIST_QUICKLIST:
    case RdbType.LIST_QUICKLIST_2:
      return 'list';
    case RdbType.SET:
    case RdbType.SET_INTSET:
    case RdbType.SET_LISTPACK:
      return 'set';
    case RdbType.ZSET:
    case RdbType.ZSET_2:
    case RdbType.ZSET_ZIPLIST:
    case RdbType.ZSET_LISTPACK:
      return 'zset';
    case RdbType.HASH:
    case RdbType.HASH_ZIPMAP:
    case RdbType.HASH_ZIPLIST:
    case RdbType.HASH_LISTPACK:
      return 'hash';
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
    case RdbType.STREAM_LISTPACKS_3:
      return 'stream';
    case RdbType.MODULE_2:
      return 'module';
    default:
      return `rdb-type-${rdbType}`;
  }
}

/** Top-level RDB opcodes. */
export const RdbOpcode = {
  SLOT_INFO: 244,
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/**
 * The newest RDB format version accepted (7.0 writes 10, 7.2 writes 11, 7.4 writes 12). Object
 * types this parser does not know are refused one by one with `RdbUnsupportedTypeError`.
 */
export const MAX_RDB_VERSION = 12;

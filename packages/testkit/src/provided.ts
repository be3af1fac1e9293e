/**
 * The key under which the global setup hands test workers one Redis URL per pool slot
 * (index `VITEST_POOL_ID - 1`, modulo the length) through vitest's provide/inject.
 */
export const PROVIDE_KEY = 'covinaRedisUrls';

/** What the global setup provides under PROVIDE_KEY. */
export type ProvidedRedisUrls = string[];

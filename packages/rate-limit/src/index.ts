export {
  type AlgorithmModel,
  type CheckOutcome,
  fixedWindow,
  gcra,
  models,
  type RuleNumbers,
  slidingLog,
  slidingWindow,
  tokenBucket,
} from './algorithms/index.js';
export { type CheckRateLimit, type CheckRateLimitOptions, createCheckRateLimit } from './check-rate-limit.js';
export {
  errors,
  RateLimitConfigError,
  type RateLimitExceededContext,
  RateLimitExceededError,
  RateLimitScriptError,
  RateLimitTimeoutError,
  RateLimitUnavailableError,
} from './errors.js';
export type {
  AcquireOptions,
  CheckOptions,
  FailurePolicy,
  LimiterBehaviourOptions,
  RateKeyRegistry,
  RateLimiterOptions,
} from './options.js';
export { RateLimiter } from './rate-limiter.js';
export { scriptCommand } from './redis/scripts.js';
export { ALGORITHMS, formatWindow } from './rules.js';
export { encodeSubject } from './subject.js';
export type {
  Algorithm,
  DecisionSource,
  NormalizedRule,
  RateLimitResult,
  RateLimitRule,
  RuleResult,
} from './types.js';

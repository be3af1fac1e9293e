/**
 * Keys of `@covina/rate-limit`.
 *
 * One key holds every rule of one limiter for one subject (`10/s` and `1,000/h` side by side
 * in one value: a short string of integers, or a sorted set for the sliding log), so a check
 * touches exactly one key and the subject, written as a hash tag,
 * keeps all of a subject's limiters on one Redis Cluster slot. Subjects are percent-encoded by
 * the limiter (`2001:db8::1` → `2001%3Adb8%3A%3A1`), so any IP, user id or API key fits.
 *
 * The product's own per-function OpenAI counter (`rate:openai:{function_name}`) is a standard
 * template (`openaiRate`); `checkRateLimit()` accepts it as it is.
 */
export const rateTemplates = {
  /** State of one limiter (`limiter`: its name) for one subject: `covina:rate:api:{user42}:gcra`. */
  rateLimit: 'rate:{limiter}:{{subject}}:{algorithm}',
} as const;

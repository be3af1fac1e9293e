/**
 * The product's own keys (from its original specification) and the cache's keys.
 * Each parameter fills one `:` segment; `{{x}}` is a Redis Cluster hash tag.
 */
export const standardTemplates = {
  /** Processing state of one document. */
  docState: 'doc:state:{document_uuid}',
  /** OCR result of one document. */
  docOcr: 'doc:ocr:{document_uuid}',
  /** Status of one AWS Textract job. */
  textractJobStatus: 'job:textract:status:{job_id}',
  /** Lock held while a queue is drained. */
  queueLock: 'queue:lock:{queue_id}',
  /** OpenAI rate-limit counter per calling function. */
  openaiRate: 'rate:openai:{function_name}',
  /** Status of one job. */
  jobStatus: 'job:{uuid}:status',
  /** The registry of tools available to workers. */
  toolRegistry: 'tool_registry',
  /** A cached value of any key type: `cache:<type>:<id>` (for `Cache` users without their own templates). */
  cacheEntry: 'cache:{type}:{id}',
  /** Stampede lock: held by the one process loading a cache key (`key_hash`: a digest of that key). */
  cacheLoadLock: 'cache:lock:{key_hash}',
  /** Pub/sub channel between `Cache` instances: values filled under a stampede lock, evictions. */
  cacheEvents: 'cache:events',
} as const;

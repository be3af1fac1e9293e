import { createKeyRegistry } from '@covina/cache-keys';
import type { PipelineStore } from '@covina/core';

const UPDATES = 'pipelineUpdatesChannel';

/**
 * The key prefix a store was made with, read back from one of its keys (the store keeps its
 * registry to itself): the updates channel is `<prefix>:<template>`.
 */
export function storePrefix(store: PipelineStore): string {
  const channel = store.keys.updatesChannel;
  const tail = `:${createKeyRegistry().template(UPDATES)}`;
  if (channel.endsWith(tail)) {
    const prefix = channel.slice(0, -tail.length);
    if (createKeyRegistry({ prefix }).formatDynamic(UPDATES, {}) === channel) return prefix;
  }
  return 'covina';
}

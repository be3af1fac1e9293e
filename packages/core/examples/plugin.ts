import { definePlugin, defineStage, validatePlugins } from '@covina/core';

const extract = defineStage<{ encoding: string }, { text: string }>({
  taskType: 'extract',
  workerType: 'cpu',
  accepts: (file) => file.mimeType.startsWith('text/'),
  async run(task, ctx) {
    ctx.logger.info({ fileId: task.fileId }, 'extracting');
    return { text: `contents of ${ctx.file?.path} as ${task.payload?.encoding ?? 'utf8'}` };
  },
});

const wordCount = defineStage<unknown, { words: number }>({
  taskType: 'word-count',
  after: ['extract'], // runs once the file's extract task completed
  timeoutMs: 10_000,
  async run(_task, ctx) {
    await ctx.reportProgress(50);
    const seen = await ctx.state.get('last-count'); // the plugin's own StateStore
    return { words: seen === null ? 0 : Number(seen.toString()) };
  },
});

export const textPlugin = definePlugin({
  name: '@acme/plugin-text',
  version: '1.0.0',
  stages: [extract, wordCount],
});

// The app checks every loaded plugin together; stages come back parents first.
const stages = validatePlugins([textPlugin]);
console.log(stages.map(({ stage }) => stage.taskType)); // ['extract', 'word-count']

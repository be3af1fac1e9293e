export { type SampleOptions, sample, sampleInterleaved, throughput } from './measure.js';
export { mean, median, opsPerSec, percentile, type Summary, summarize } from './stats.js';
export { type Cell, formatNumber, formatTable, printComparison, printTable } from './table.js';

/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16_384;

/** Splits the slots into `masters` contiguous, nearly equal ranges (inclusive bounds). */
export function slotRanges(masters: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < masters; i++) {
    const first = Math.floor((i * SLOT_COUNT) / masters);
    const last = Math.floor(((i + 1) * SLOT_COUNT) / masters) - 1;
    ranges.push([first, last]);
  }
  return ranges;
}

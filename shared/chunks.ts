/**
 * Greedy chunking under a size limit (an IAM managed policy's characters, an EventBridge pattern's
 * characters): items are taken in order, and a chunk is closed when the next item would make it too
 * large. A single item too large on its own still gets a chunk of its own; the caller splits or
 * refuses it.
 */
export function chunkWhileFits<T>(items: readonly T[], fits: (chunk: T[]) => boolean): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  for (const item of items) {
    if (current.length > 0 && !fits([...current, item])) {
      chunks.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

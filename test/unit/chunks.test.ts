import fc from 'fast-check';
import { chunkWhileFits } from '../../shared/chunks';

describe('chunkWhileFits', () => {
  it('keeps every item in order, fills each chunk while it fits, and gives an oversized item a chunk of its own', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 })), fc.integer({ min: 1, max: 40 }), (sizes, budget) => {
        const sum = (chunk: number[]) => chunk.reduce((total, size) => total + size, 0);
        const chunks = chunkWhileFits(sizes, (chunk) => sum(chunk) <= budget);
        expect(chunks.flat()).toEqual(sizes);
        for (const [index, chunk] of chunks.entries()) {
          expect(chunk.length).toBeGreaterThan(0);
          if (chunk.length > 1) expect(sum(chunk)).toBeLessThanOrEqual(budget);
          // Greedy: the next chunk's first item would not have fitted into this one.
          const next = chunks[index + 1];
          if (next) expect(sum([...chunk, next[0]])).toBeGreaterThan(budget);
        }
      }),
    );
  });
});

/** Step outputs, notes and errors are cut to about 4 KB before they reach the journal (DynamoDB items are at most 400 KB). */
import fc from 'fast-check';
import { boundOutput, boundText, MAX_STEP_TEXT_BYTES } from '../../../shared/engine/bounded';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('boundText', () => {
  it('keeps short text as it is and cuts long text with a note of its size', () => {
    expect(boundText('replica promoted')).toBe('replica promoted');
    const cut = boundText('x'.repeat(450_000));
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_STEP_TEXT_BYTES);
    expect(cut.endsWith(' … [cut: 450000 bytes in all]')).toBe(true);
  });

  it('never exceeds the bound and never splits a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 40, max: 5000 }), (text, maxBytes) => {
        const cut = boundText(text, maxBytes);
        if (bytes(text) <= maxBytes) expect(cut).toBe(text);
        else {
          expect(bytes(cut)).toBeLessThanOrEqual(maxBytes);
          expect(text.startsWith(cut.slice(0, cut.lastIndexOf(' … [cut: ')))).toBe(true);
        }
      }),
    );
  });
});

describe('boundOutput', () => {
  it('a 450 KB answer field is shortened and the note says so; small fields are kept', () => {
    const { output, cutNote } = boundOutput({ writer: 'db-2', dump: 'y'.repeat(450_000), promoted: true });
    expect(bytes(JSON.stringify(output))).toBeLessThanOrEqual(MAX_STEP_TEXT_BYTES);
    expect(output.writer).toBe('db-2');
    expect(String(output.dump)).toMatch(/ … \[cut: 450000 bytes in all\]$/);
    expect(cutNote).toMatch(/^output cut to 4096 bytes \(was \d+\); shortened: dump/);
  });

  it('any output fits once bounded', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 3000 }),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 400 }), { maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 30 }), value, { maxKeys: 12 }), (output) => {
        const bounded = boundOutput(output);
        expect(bytes(JSON.stringify(bounded.output))).toBeLessThanOrEqual(MAX_STEP_TEXT_BYTES);
        if (bytes(JSON.stringify(output)) <= MAX_STEP_TEXT_BYTES) expect(bounded).toEqual({ output });
      }),
    );
  });
});

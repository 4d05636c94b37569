/**
 * What a step leaves in the journal is bounded: the run lives in the service's STATE item and a
 * DynamoDB item is at most 400 KB, so a hook that answers (or fails with) 450 KB must not make the
 * step's own end unwritable after its side effect happened. Outputs, notes and errors are cut to
 * `MAX_STEP_TEXT_BYTES` with a note saying how much there was. Pure.
 */
import type { StepRecord } from '../domain/types';

/** About 4 KB per output, note and error: a run of 20 steps stays far below the item limit. */
export const MAX_STEP_TEXT_BYTES = 4096;

type StepOutput = NonNullable<StepRecord['output']>;

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The first `maxBytes` of `text` (never splitting a character), plus `… [cut: N bytes in all]`. */
export function boundText(text: string, maxBytes: number = MAX_STEP_TEXT_BYTES): string {
  const total = byteLength(text);
  if (total <= maxBytes) return text;
  const note = ` … [cut: ${total} bytes in all]`;
  const budget = Math.max(0, maxBytes - byteLength(note));
  let kept = '';
  let used = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    kept += char;
    used += size;
  }
  return `${kept}${note}`;
}

/**
 * An output whose JSON fits in `maxBytes`: fields are kept in order while they fit, a long string is
 * cut to what is left, and what did not fit is named in `cutNote` (for the step's note).
 */
export function boundOutput(output: StepOutput, maxBytes: number = MAX_STEP_TEXT_BYTES): { output: StepOutput; cutNote?: string } {
  const totalBytes = byteLength(JSON.stringify(output));
  if (totalBytes <= maxBytes) return { output };
  const kept: StepOutput = {};
  const cut: string[] = [];
  const dropped: string[] = [];
  // Room for the braces and for the note about what was left out.
  let left = maxBytes - 2;
  for (const [key, value] of Object.entries(output)) {
    const entryBytes = byteLength(JSON.stringify(key)) + 2 + byteLength(JSON.stringify(value));
    if (entryBytes <= left) {
      kept[key] = value;
      left -= entryBytes;
    } else if (typeof value === 'string' && left > byteLength(JSON.stringify(key)) + 64) {
      const keyBytes = byteLength(JSON.stringify(key)) + 1;
      // JSON escapes can make a string longer than its bytes: shrink until the entry fits.
      let room = left - keyBytes - 2;
      let shortened = boundText(value, room);
      while (keyBytes + byteLength(JSON.stringify(shortened)) + 1 > left && room > 0) {
        room = Math.floor(room / 2);
        shortened = boundText(value, room);
      }
      kept[key] = shortened;
      left -= keyBytes + 1 + byteLength(JSON.stringify(shortened));
      cut.push(key);
    } else {
      dropped.push(key);
    }
  }
  const parts = [`output cut to ${maxBytes} bytes (was ${totalBytes})`];
  if (cut.length > 0) parts.push(`shortened: ${cut.join(', ')}`);
  if (dropped.length > 0) parts.push(`left out: ${dropped.join(', ')}`);
  return { output: kept, cutNote: boundText(parts.join('; '), 512) };
}

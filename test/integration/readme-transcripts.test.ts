/**
 * The README's transcripts are real output: every fenced block whose first line is
 * `$ npx switchback …` or `$ npm start` is run (in-process, from the repository root) and must print
 * exactly what the block shows below that line. The wall-clock part of a summary ("simulated in
 * 1.1s") may differ, and a line that is only `…` stands for any lines (a long timeline cut short).
 * `npm run readme` rewrites the blocks without `…` from fresh output instead of checking them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = join(__dirname, '..', '..');
const README = join(ROOT, 'README.md');
const UPDATE = process.env.UPDATE_README === '1';

interface Transcript {
  command: string;
  shown: string;
  /** Offsets of the output (below the command line) in the README. */
  start: number;
  end: number;
}

function transcripts(readme: string): Transcript[] {
  const found: Transcript[] = [];
  const fence = /^```\n(\$ (?:npx switchback [^\n]*|npm start))\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(readme); match; match = fence.exec(readme)) {
    const start = match.index + 4 + match[1].length + 1;
    found.push({ command: match[1].slice(2), shown: match[2], start, end: start + match[2].length });
  }
  return found;
}

function argsOf(command: string): string[] {
  if (command === 'npm start') return ['demo'];
  return command
    .replace(/^npx switchback /, '')
    .split(' ')
    .filter((arg) => arg.length > 0);
}

/** What a reader sees in a terminal: stdout and stderr as written, then the exit code is not shown. */
async function run(command: string): Promise<string> {
  let output = '';
  const write = (text: string) => void (output += text);
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    await main(argsOf(command), { stdout: { write }, stderr: { write } });
  } finally {
    process.chdir(cwd);
  }
  return output.endsWith('\n') ? output : `${output}\n`;
}

const normalize = (text: string) => text.replace(/simulated in [\d.]+s/g, 'simulated in …s');
const ELISION = '…';

/** The shown text as a pattern: every line literal, a `…` line any number of lines. */
function patternOf(shown: string): RegExp {
  const escape = (line: string) => line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = normalize(shown).replace(/\n$/, '').split('\n');
  return new RegExp(`^${lines.map((line) => (line === ELISION ? '(?:[^\\n]*\\n)*?' : `${escape(line)}\\n`)).join('')}$`);
}

const readme = readFileSync(README, 'utf8');
const blocks = transcripts(readme);

describe('README transcripts', () => {
  test('cover validate, plan and the demo', () => {
    expect(blocks.map((block) => block.command.split(' ').slice(0, 3).join(' '))).toEqual(
      expect.arrayContaining(['npx switchback validate', 'npx switchback plan', 'npm start']),
    );
  });

  if (UPDATE) {
    test('rewrite every transcript from fresh output', async () => {
      let text = readme;
      for (const block of [...blocks].reverse().filter((candidate) => !candidate.shown.split('\n').includes(ELISION))) {
        const fresh = await run(block.command);
        text = text.slice(0, block.start) + fresh + text.slice(block.end);
      }
      writeFileSync(README, text);
    }, 120_000);
  } else {
    test.each(blocks.map((block) => [block.command, block]))(
      '%s prints what the README shows',
      async (_command, block) => {
        const output = normalize(await run(block.command));
        if (block.shown.split('\n').includes(ELISION)) expect(output).toMatch(patternOf(block.shown));
        else expect(output).toBe(normalize(block.shown));
      },
      60_000,
    );
  }
});

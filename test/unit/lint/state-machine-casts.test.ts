/** The state machine has no type assertions (`as const` aside): a lint rule keeps it that way. */
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../../..');
const config = require(path.join(root, 'eslint.config.js')) as ESLint.Options['overrideConfig'];
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config });

async function assertionErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@typescript-eslint/consistent-type-assertions')
    .map((m) => m.message);
}

describe('no casts in the state machine', () => {
  it('refuses `as` in shared/domain/state-machine', async () => {
    const code = 'export const run = JSON.parse("{}") as { id: string };\n';
    expect(await assertionErrors('shared/domain/state-machine/evidence.ts', code)).toHaveLength(1);
  });

  it('allows `as const` there, and casts elsewhere', async () => {
    expect(await assertionErrors('shared/domain/state-machine/types.ts', "export const KINDS = ['a', 'b'] as const;\n")).toEqual([]);
    expect(await assertionErrors('shared/domain/plan.ts', 'export const run = JSON.parse("{}") as { id: string };\n')).toEqual([]);
  });
});

/**
 * The import boundary is a lint rule: `functions/` and `shared/` are what Lambda loads, so an import of
 * the simulator, the CLI, the benchmarks or the tests from there must fail `npm test`.
 */
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../../..');
// Jest's module sandbox cannot dynamic-import the config file, so load it here and hand it over whole.
const config = require(path.join(root, 'eslint.config.js')) as ESLint.Options['overrideConfig'];
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: config });

async function boundaryErrors(file: string, importLine: string, rule = 'no-restricted-imports'): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\nexport const used = typeof imported;\n`, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((message) => message.ruleId === rule).map((message) => message.message);
}

describe('import boundary', () => {
  it.each([
    ['shared/app/alarm.ts', "import * as imported from '../../sim/world';"],
    ['shared/actions/ec2-start.ts', "import * as imported from '../../sim/runner';"],
    ['functions/probe.ts', "import * as imported from '../cli/main';"],
    ['shared/domain/plan.ts', "import * as imported from '../../test/scenario/scenario-kit';"],
    ['functions/alarm.ts', "import * as imported from '../bench/lib/harness';"],
  ])('%s may not import %s', async (file, importLine) => {
    const errors = await boundaryErrors(file, importLine);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('functions/ and shared/ are what Lambda loads: they must not import sim/, cli/, bench/ or test/.');
  });

  it('allows imports inside the Lambda code and from the simulator into it', async () => {
    expect(await boundaryErrors('shared/app/alarm.ts', "import * as imported from '../domain/plan';")).toEqual([]);
    expect(await boundaryErrors('sim/runner.ts', "import * as imported from '../functions/probe';")).toEqual([]);
  });

  it("refuses zod's named `z` in Lambda code (it bundles every locale) and takes the namespace import", async () => {
    const zodImport = (file: string, importLine: string) => boundaryErrors(file, importLine, 'no-restricted-syntax');
    const named = await zodImport('shared/actions/ec2-start.ts', "import { z } from 'zod';\nconst imported = z;");
    expect(named).toHaveLength(1);
    expect(named[0]).toContain("Write `import * as z from 'zod'`");
    expect(await zodImport('functions/orchestrator.ts', "import { z } from 'zod/mini';\nconst imported = z;")).toHaveLength(1);
    expect(await zodImport('shared/actions/ec2-start.ts', "import * as imported from 'zod';")).toEqual([]);
    expect(await zodImport('shared/actions/ec2-start.ts', "import type { z as imported } from 'zod';")).toEqual([]);
    expect(await zodImport('sim/runner.ts', "import { z } from 'zod';\nconst imported = z;")).toEqual([]);
  });
});

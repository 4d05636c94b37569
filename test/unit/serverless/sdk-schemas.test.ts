/**
 * The SDK schema rewrite (serverless/sdk-schemas.ts) lets esbuild drop the shapes no command of ours
 * reaches. What must not change: the schema graph of every command the deployed code sends, and the
 * error registry the SDK deserializes errors with. Each client is bundled twice, with and without the
 * rewrite, exporting exactly the commands `shared/` imports, and the two are compared.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { lambdaBuildOptions } from '../../../serverless/esbuild-options';
import { inlineSchemaKeys, SDK_SCHEMA_MODULE, sdkSchemaTreeShakePlugin } from '../../../serverless/sdk-schemas';

const repoRoot = path.resolve(__dirname, '../../..');

/** Evaluate a CommonJS module's text and return its exports. */
function evaluate(code: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

async function bundle(contents: string, plugins: Plugin[], resolveDir = repoRoot): Promise<string> {
  const result = await build({
    ...lambdaBuildOptions(repoRoot),
    stdin: { contents, resolveDir, loader: 'js', sourcefile: 'entry.js' },
    // Unminified, so the two builds' error classes keep comparable names.
    minify: false,
    write: false,
    plugins,
  });
  return result.outputFiles[0].text;
}

/**
 * A schema graph as plain data: thunks (`() => Shape$`) followed, each array or object numbered the
 * first time it is met and referred to by that number after (the graphs have cycles).
 */
function canonical(value: unknown, seen = new Map<object, number>()): unknown {
  if (typeof value === 'function') return value.length === 0 ? canonical((value as () => unknown)(), seen) : '[function]';
  if (value === null || typeof value !== 'object') return value;
  const id = seen.get(value);
  if (id !== undefined) return { $ref: id };
  seen.set(value, seen.size);
  if (Array.isArray(value)) return value.map((item) => canonical(item, seen));
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key], seen)]),
  );
}

interface RegistryLike {
  schemas: Map<string, unknown>;
  exceptions: Map<unknown, { name: string }>;
}

function registries(exports: Record<string, unknown>): unknown {
  const { registries: all } = exports.TypeRegistry as { registries: Map<string, RegistryLike> };
  return [...all.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, registry]) => ({
      namespace,
      schemas: [...registry.schemas.keys()].sort(),
      exceptions: [...registry.exceptions.entries()].map(([schema, ctor]) => [canonical(schema), ctor.name]),
    }));
}

/** `@aws-sdk/*` package → the `…Command` classes the code under shared/ imports from it (type imports left out). */
function commandsImportedByShared(): Map<string, string[]> {
  const files = readdirSync(path.join(repoRoot, 'shared'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  const commands = new Map<string, Set<string>>();
  for (const file of files) {
    const text = readFileSync(path.join(repoRoot, 'shared', file), 'utf8');
    for (const [, names, pkg] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
      for (const name of names.split(',').map((part) => part.trim().split(/\s+as\s+/)[0])) {
        if (name.endsWith('Command') && !name.startsWith('type ')) commands.set(pkg, (commands.get(pkg) ?? new Set()).add(name));
      }
    }
  }
  return new Map([...commands].map(([pkg, names]) => [pkg, [...names].sort()]));
}

/** The operation schema a command sends with (a lib-dynamodb command wraps the client's). */
function operationSchema(Command: new (input: object) => unknown): unknown {
  const command = new Command({}) as { schema?: unknown; clientCommand?: { schema?: unknown } };
  return command.schema ?? command.clientCommand?.schema;
}

describe('inlineSchemaKeys', () => {
  const generated = [
    'const _xN = "xmlName";',
    'const _eQN = "ec2QueryName";',
    'const _m = "min";',
    'const n0 = "com.amazonaws.example";',
    'export var Range$ = [3, n0, "Range", 0, [_m], [[1, { [_eQN]: `Min`, [_xN]: _m }]]];',
    'export var Holder$ = [3, n0, "Holder", 0, ["r"], [() => Range$], { [_xN] : "holder", [missing]: 1 }];',
    '',
  ].join('\n');

  it('writes computed keys naming module-level string constants as those strings, leaving the values equal', () => {
    const { code, replaced } = inlineSchemaKeys(generated);
    expect(replaced).toBe(3);
    expect(code).toContain('{ "ec2QueryName": `Min`, "xmlName": _m }');
    expect(code).toContain('{ "xmlName": "holder", [missing]: 1 }');
    const run = (text: string) =>
      evaluate(`const missing = "m";\n${text.replace(/export var/g, 'var')}\nmodule.exports = { Range$, Holder$ };`);
    expect(canonical(run(code))).toEqual(canonical(run(generated)));
  });

  it('leaves any module with a scope that could shadow a name unchanged (functions, classes, arrows with parameters)', () => {
    for (const inner of [
      'function f(_xN) { return { [_xN]: 1 }; }',
      'class C {}',
      'const f = (_xN) => ({ [_xN]: 1 });',
      'const g = _xN => ({ [_xN]: 1 });',
    ]) {
      const source = `${generated}${inner}\n`;
      expect(inlineSchemaKeys(source)).toEqual({ code: source, replaced: 0 });
    }
  });

  it('is not put off by the word "function" inside a string', () => {
    expect(inlineSchemaKeys(`${generated}export var Op$ = [9, n0, "Op", { [_xN]: "/functions/{name}" }];\n`).replaced).toBe(4);
  });

  it('lets esbuild drop the shapes nothing imports while keeping statements with side effects', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'sdk-schemas-'));
    try {
      const schemas = path.join(work, 'node_modules/@aws-sdk/client-example/dist-es/schemas/schemas_0.js');
      mkdirSync(path.dirname(schemas), { recursive: true });
      writeFileSync(
        schemas,
        `var missing = "m";\n${generated}export var Unused$ = [3, n0, "Unused", 0, [], [[1, { [_xN]: "unused" }]]];\nglobalThis.registered = [Range$];\n`,
      );
      const entry = `import { Holder$ } from ${JSON.stringify(schemas)}; module.exports = Holder$;`;
      const plain = await bundle(entry, [], work);
      const shaken = await bundle(entry, [sdkSchemaTreeShakePlugin()], work);
      expect(plain).toContain('"unused"');
      expect(shaken).not.toContain('"unused"');
      expect(shaken).toContain('globalThis.registered = [Range$]');
      expect(canonical(evaluate(shaken))).toEqual(canonical(evaluate(plain)));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('applies to the generated schema modules of the SDK clients only', () => {
    expect(SDK_SCHEMA_MODULE.test('/x/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js')).toBe(true);
    expect(SDK_SCHEMA_MODULE.test('C:\\x\\node_modules\\@aws-sdk\\client-route-53\\dist-es\\schemas\\schemas_1.js')).toBe(true);
    expect(SDK_SCHEMA_MODULE.test('/x/node_modules/@aws-sdk/client-ec2/dist-cjs/schemas/schemas_0.js')).toBe(false);
    expect(SDK_SCHEMA_MODULE.test('/x/node_modules/@aws-sdk/lib-dynamodb/dist-es/commands/GetCommand.js')).toBe(false);
  });
});

describe('the SDK clients shared/ sends commands with, bundled with and without the rewrite', () => {
  const imported = commandsImportedByShared();

  it('finds the commands to compare (every client the adapters and the store use)', () => {
    expect([...imported.keys()].sort()).toEqual(
      expect.arrayContaining([
        '@aws-sdk/client-ec2',
        '@aws-sdk/client-route-53',
        '@aws-sdk/client-rds',
        '@aws-sdk/client-sns',
        '@aws-sdk/client-lambda',
        '@aws-sdk/client-cloudwatch',
        '@aws-sdk/lib-dynamodb',
      ]),
    );
    expect(imported.get('@aws-sdk/client-ec2')).toContain('RunInstancesCommand');
  });

  it.each([...imported])('%s: same schema graph for every command, same error registry', async (pkg, commands) => {
    const entry = `export { ${commands.join(', ')} } from '${pkg}';\nexport { TypeRegistry } from '@smithy/core/schema';\n`;
    const [plainCode, shakenCode] = await Promise.all([bundle(entry, []), bundle(entry, [sdkSchemaTreeShakePlugin()])]);
    const plain = evaluate(plainCode);
    const shaken = evaluate(shakenCode);
    for (const name of commands) {
      const schema = operationSchema(shaken[name] as new (input: object) => unknown);
      expect({ name, defined: schema !== undefined }).toEqual({ name, defined: true });
      expect({ name, schema: canonical(schema) }).toEqual({
        name,
        schema: canonical(operationSchema(plain[name] as new (input: object) => unknown)),
      });
    }
    // Both bundles hold the registries the client filled (one per service namespace, its errors in it).
    expect(registries(plain)).toEqual(
      expect.arrayContaining([expect.objectContaining({ schemas: expect.arrayContaining([expect.any(String)]) })]),
    );
    expect(registries(shaken)).toEqual(registries(plain));
    if (pkg === '@aws-sdk/client-ec2') expect(shakenCode.length).toBeLessThan(plainCode.length / 2);
  });
});

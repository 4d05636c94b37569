/**
 * esbuild plugin (serverless-esbuild `plugins`): let esbuild tree-shake the AWS SDK's operation schemas.
 *
 * Each `@aws-sdk/client-*` package (v3.7xx and later) describes every shape of its service in one
 * generated module, `dist-es/schemas/schemas_0.js`: `export var DescribeInstances$ = [9, n0, _DI, …]`,
 * one declaration per shape, the nested shapes referenced through thunks (`() => Reservation$`). A
 * command imports only its operation's schema, so esbuild could keep just the shapes an operation
 * reaches. It keeps them all, because the query-protocol traits are written with computed keys,
 * `{ [_xN]: "item" }` (`const _xN = "xmlName"`), and esbuild cannot tell that evaluating such a key
 * has no side effect. For EC2 that is the whole service, 552 KB of minified top-level code that V8
 * compiles at every cold start, whichever of EC2's ~700 operations the function calls.
 *
 * The rewrite turns each computed key whose name is a module-level `const` string into that string
 * literal (`{ "xmlName": "item" }`), which is the same object. esbuild then drops every shape no kept
 * statement reaches. Statements with side effects stay as they were: the `registerError` calls that
 * fill the SDK's error registry, so error deserialization finds every modelled error as before.
 * test/unit/serverless/sdk-schemas.test.ts checks that every command our adapters send has the same
 * schema graph and error registry with and without the rewrite.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The generated schema modules of the SDK clients (ESM builds: serverless.yml's `mainFields: [module, main]`). */
export const SDK_SCHEMA_MODULE = /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

const STRING_CONST = /^const ([A-Za-z_$][\w$]*) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /([{,]\s*)\[([A-Za-z_$][\w$]*)\]\s*:/g;
/** Anything that opens a scope able to bind a name: a function, a class, an arrow with parameters. */
const INNER_BINDING = /\bfunction\b|\bclass\b|[\w$]\s*=>|[^(\s]\s*\)\s*=>/;
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;

/**
 * `source` with every computed object key `[name]:` replaced by the string literal a module-level
 * `const name = "…";` holds, and how many keys were replaced.
 *
 * Only for modules shaped like the generated ones: declarations whose only functions are
 * parameterless thunks (`() => Shape$`), so no inner scope can shadow a module-level name. Any other
 * module comes back unchanged (`replaced: 0`), and is bundled exactly as before.
 */
export function inlineSchemaKeys(source: string): { code: string; replaced: number } {
  if (INNER_BINDING.test(source.replace(STRING_LITERAL, '""'))) return { code: source, replaced: 0 };
  const values = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONST)) values.set(name, literal);
  let replaced = 0;
  const code = source.replace(COMPUTED_KEY, (whole, before: string, name: string) => {
    const literal = values.get(name);
    if (literal === undefined) return whole;
    replaced += 1;
    return `${before}${literal}:`;
  });
  return { code, replaced };
}

export function sdkSchemaTreeShakePlugin(): Plugin {
  return {
    name: 'switchback-sdk-schemas',
    setup(build) {
      build.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => {
        const { code } = inlineSchemaKeys(await readFile(args.path, 'utf8'));
        return { contents: code, loader: 'js' };
      });
    },
  };
}

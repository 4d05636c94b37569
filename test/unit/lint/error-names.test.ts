/**
 * The Lambda bundles are minified without esbuild's `keepNames`, so an error class's own name is a
 * minified one there: every class derived from SwitchbackError spells its `name` out (shared/errors.ts),
 * and logs, texts and `status` name the error as the code does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const DIRS = ['shared', 'functions', 'sim', 'serverless', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every class that extends another class, with the text of its body up to the next top-level class. */
function derivedClasses(): Array<{ file: string; name: string; base: string; body: string }> {
  return DIRS.flatMap((dir) => sources(join(ROOT, dir))).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^(?:export )?(?:abstract )?class (\w+) extends (\w+)[^{]*\{([\s\S]*?)^\}/gm)].map((match) => ({
      file: relative(ROOT, file),
      name: match[1],
      base: match[2],
      body: match[3],
    }));
  });
}

test('every SwitchbackError class spells its own name out', () => {
  const classes = derivedClasses();
  const errorClasses = new Set(['SwitchbackError']);
  // Classes derived from error classes, to any depth.
  for (let grew = true; grew;) {
    grew = false;
    for (const { name, base } of classes)
      if (errorClasses.has(base) && !errorClasses.has(name)) {
        errorClasses.add(name);
        grew = true;
      }
  }
  expect(errorClasses.size).toBeGreaterThan(20);
  const unnamed = classes
    .filter(({ name }) => errorClasses.has(name))
    .filter(({ name, body }) => !body.includes(`override readonly name: string = '${name}';`))
    .map(({ file, name }) => `${file}: ${name}`);
  expect(unnamed).toEqual([]);
});

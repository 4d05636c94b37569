/**
 * The compiled configuration `sls package` writes into every bundle: it reads back as exactly the
 * config that was validated, and a file edited after packaging (or missing) is refused at cold start
 * with the file and the reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPILED_CONFIG_FILE, compileConfig, configHash, readCompiledConfig } from '../../../shared/config/compiled';
import { parseConfigText } from '../../../shared/config/load';
import { EXAMPLE_CONFIG_TEXT, FULL_CONFIG_TEXT } from '../serverless/fixtures';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'switchback-compiled-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeCompiled(text: string): string {
  const file = join(dir, COMPILED_CONFIG_FILE);
  writeFileSync(file, text);
  return file;
}

describe('compiled configuration', () => {
  it.each([
    ['the example', EXAMPLE_CONFIG_TEXT],
    ['the full fixture', FULL_CONFIG_TEXT],
  ])('reads %s back exactly as validated, with the hash packaging printed', (_name, yml) => {
    const config = parseConfigText(yml, 'switchback.yml');
    const { text, sha256 } = compileConfig(config, 'switchback.yml');
    expect(sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sha256).toBe(configHash(config));
    const read = readCompiledConfig(writeCompiled(text));
    // Equal but for keys holding undefined (JSON drops them); nothing JSON would change (a Date, a Map).
    expect(read.config).toEqual(config);
    expect(read.config).toStrictEqual(JSON.parse(JSON.stringify(config)));
    expect(read).toMatchObject({ sha256, source: 'switchback.yml' });
  });

  it('keeps the hash when only the layout changes (re-indented)', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text, sha256 } = compileConfig(config, 'switchback.yml');
    const file = writeCompiled(JSON.stringify(JSON.parse(text)));
    expect(readCompiledConfig(file).sha256).toBe(sha256);
  });

  it('refuses a hand-edited file at cold start, naming the file, both hashes and where to edit instead', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text, sha256 } = compileConfig(config, 'my-switchback.yml');
    const edited = JSON.parse(text);
    edited.config.services[0].policy.probe.failureThreshold = 1;
    const file = writeCompiled(JSON.stringify(edited, null, 2));
    const editedHash = configHash(edited.config);
    expect(() => readCompiledConfig(file)).toThrow(
      `${file}: invalid configuration:\n  content hash mismatch: the file records ${sha256} but its config hashes to ${editedHash}; ` +
        'it was edited after `sls package` compiled it from my-switchback.yml. Edit my-switchback.yml and redeploy',
    );
  });

  it('refuses a missing file, one that is not JSON, another format, and one without a config', () => {
    const config = parseConfigText(EXAMPLE_CONFIG_TEXT);
    const { text } = compileConfig(config, 'switchback.yml');
    const missing = join(dir, 'nowhere', COMPILED_CONFIG_FILE);
    expect(() => readCompiledConfig(missing)).toThrow(
      `${missing}: invalid configuration:\n  cannot read the compiled configuration (ENOENT): \`sls package\` writes it into every function bundle`,
    );
    expect(() => readCompiledConfig(writeCompiled(text.slice(0, -10)))).toThrow(/: invalid configuration:\n {2}not JSON \(/);
    expect(() => readCompiledConfig(writeCompiled(JSON.stringify({ ...JSON.parse(text), format: 2 })))).toThrow(
      'format 2, but this release reads format 1: package it again',
    );
    expect(() =>
      readCompiledConfig(writeCompiled(readFileSync(join(__dirname, '..', '..', '..', 'switchback.example.yml'), 'utf8'))),
    ).toThrow('not JSON');
    expect(() => readCompiledConfig(writeCompiled(JSON.stringify({ ...JSON.parse(text), config: { services: [] } })))).toThrow(
      '`config` is not a compiled configuration (no controlRegion or services): edit switchback.yml and redeploy',
    );
  });
});

/**
 * The compiled configuration: what `sls package` writes into every function bundle and what the
 * functions read at cold start. `switchback.yml` is parsed, validated and its defaults resolved once,
 * at packaging (./load.ts: yaml and the full zod schema); the functions load this JSON with no parser
 * and no schema library, after checking its content hash, so a file edited after packaging (in the
 * console, in the zip) is refused instead of run unvalidated.
 *
 * The hash is the SHA-256 of the resolved config as compact JSON: `switchback validate` and
 * packaging print it, and a function logs it at cold start, so whoever deploys can tell which
 * configuration runs. Re-indenting the file keeps the hash; changing any value does not.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import type { SwitchbackConfig } from './types';

/** The file's name at the root of every function bundle (`SWITCHBACK_CONFIG_PATH` points at it). */
export const COMPILED_CONFIG_FILE = 'switchback.compiled.json';

/** Bumped when the resolved shape changes incompatibly: a bundle never mixes code and config of two releases, but a copied file could. */
export const COMPILED_CONFIG_FORMAT = 1;

export interface CompiledConfig {
  format: typeof COMPILED_CONFIG_FORMAT;
  /** The file it was compiled from (its name only: the machine's paths stay out of the bundle). */
  source: string;
  /** `sha256:<hex>` of `config` as compact JSON. */
  sha256: string;
  config: SwitchbackConfig;
}

/** `sha256:<hex>` of the resolved config as compact JSON (what validate, packaging and the cold-start log print). */
export function configHash(config: SwitchbackConfig): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(config)).digest('hex')}`;
}

/** The file text for a validated, resolved config (from `loadConfigFile`). */
export function compileConfig(config: SwitchbackConfig, source: string): { text: string; sha256: string } {
  const sha256 = configHash(config);
  const compiled: CompiledConfig = { format: COMPILED_CONFIG_FORMAT, source, sha256, config };
  return { text: `${JSON.stringify(compiled, null, 2)}\n`, sha256 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Read a compiled config at cold start. Refuses, naming the file and the reason: a missing or
 * unreadable file, one that is not JSON, another format, or content whose hash differs from the one
 * packaging recorded (edited after `sls package`).
 */
export function readCompiledConfig(file: string): { config: SwitchbackConfig; sha256: string; source: string } {
  const refuse = (problem: string, cause?: unknown): never => {
    throw new ConfigError([problem], { file, cause });
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    refuse(
      `cannot read the compiled configuration (${(error as NodeJS.ErrnoException).code ?? String(error)}): ` +
        '`sls package` writes it into every function bundle; deploy with `sls deploy`',
      error,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    refuse(`not JSON (${(error as Error).message}): it was edited after \`sls package\` compiled it; redeploy`, error);
  }
  if (!isRecord(parsed)) return refuse('expected the object `sls package` writes: { format, source, sha256, config }');
  if (parsed.format !== COMPILED_CONFIG_FORMAT) {
    refuse(`format ${JSON.stringify(parsed.format)}, but this release reads format ${COMPILED_CONFIG_FORMAT}: package it again`);
  }
  const source = typeof parsed.source === 'string' ? parsed.source : 'switchback.yml';
  if (!isRecord(parsed.config) || typeof parsed.config.controlRegion !== 'string' || !Array.isArray(parsed.config.services)) {
    refuse(`\`config\` is not a compiled configuration (no controlRegion or services): edit ${source} and redeploy`);
  }
  const config = parsed.config as SwitchbackConfig;
  const actual = configHash(config);
  if (parsed.sha256 !== actual) {
    refuse(
      `content hash mismatch: the file records ${String(parsed.sha256)} but its config hashes to ${actual}; ` +
        `it was edited after \`sls package\` compiled it from ${source}. Edit ${source} and redeploy`,
    );
  }
  return { config, sha256: actual, source };
}

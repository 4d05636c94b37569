/**
 * The compiled configuration: what `sls package` writes into every function bundle and what the
 * functions read at cold start. `switchback.yml` is parsed, validated and its defaults resolved once,
 * at packaging (./load.ts: yaml and the full zod schema), and every service's failover and failback
 * plans are built then too (./compile.ts: `buildPlan`, which loads every step action module and their
 * zod schemas). The functions load this JSON with no parser, no schema library and no action module,
 * after checking its content hashes, so a file edited after packaging (in the console, in the zip) is
 * refused instead of run unvalidated.
 *
 * `sha256` is the SHA-256 of the resolved config as compact JSON: `switchback validate` and
 * packaging print it, and a function logs it at cold start, so whoever deploys can tell which
 * configuration runs. `plansSha256` is the SHA-256 of the plans as compact JSON, checked the same way
 * (the plans follow from the config, so the config's hash still names the deployment). Re-indenting
 * the file keeps both; changing any value does not.
 *
 * This module is loaded by every function: it must not import ../actions (nor ../domain/build-plan).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PlanSource } from '../domain/plan';
import type { PlanStep, RunKind } from '../domain/types';
import { ConfigError, SwitchbackError } from '../errors';
import type { SwitchbackConfig } from './types';

/** The file's name at the root of every function bundle (`SWITCHBACK_CONFIG_PATH` points at it). */
export const COMPILED_CONFIG_FILE = 'switchback.compiled.json';

/** Bumped when the resolved shape changes incompatibly: a bundle never mixes code and config of two releases, but a copied file could. */
export const COMPILED_CONFIG_FORMAT = 2;

/** A service's runbook plans, as `buildPlan(service, kind)` returns them. */
export type ServicePlans = Record<RunKind, PlanStep[]>;
/** Every configured service's plans, by service name. */
export type CompiledPlans = Record<string, ServicePlans>;

export interface CompiledConfig {
  /** 2 since the plans travel in it (a format-1 file has none, and is refused). */
  format: typeof COMPILED_CONFIG_FORMAT;
  /** The file it was compiled from (its name only: the machine's paths stay out of the bundle). */
  source: string;
  /** `sha256:<hex>` of `config` as compact JSON. */
  sha256: string;
  config: SwitchbackConfig;
  /** `sha256:<hex>` of `plans` as compact JSON. */
  plansSha256: string;
  plans: CompiledPlans;
}

/** What a function reads: the config, its hash, the file it came from, and the plans. */
export interface DeployedConfig {
  config: SwitchbackConfig;
  sha256: string;
  source: string;
  plans: CompiledPlans;
}

function sha256Of(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;
}

/** `sha256:<hex>` of the resolved config as compact JSON (what validate, packaging and the cold-start log print). */
export function configHash(config: SwitchbackConfig): string {
  return sha256Of(config);
}

/** `sha256:<hex>` of the compiled plans as compact JSON (checked at read like the config's). */
export function plansHash(plans: CompiledPlans): string {
  return sha256Of(plans);
}

/**
 * The plan source the functions run with (AppDeps `planOf`): the compiled plan for the service and
 * kind, a fresh copy each time as `buildPlan` makes one (a run never shares its plan with another).
 */
export function compiledPlanSource(plans: CompiledPlans): PlanSource {
  return (service, kind) => {
    const plan = Object.hasOwn(plans, service.name) ? plans[service.name][kind] : undefined;
    if (!plan) throw new SwitchbackError(`the compiled configuration has no ${kind} plan for service "${service.name}": package it again`);
    return structuredClone(plan);
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Read a compiled config at cold start. Refuses, naming the file and the reason: a missing or
 * unreadable file, one that is not JSON, another format, content whose config or plans hash differs
 * from the one packaging recorded (edited after `sls package`), or plans that do not cover exactly
 * the configured services.
 */
export function readCompiledConfig(file: string): DeployedConfig {
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
  if (!isRecord(parsed)) return refuse('expected the object `sls package` writes: { format, source, sha256, config, plansSha256, plans }');
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
  return { config, sha256: actual, source, plans: checkedPlans(parsed, config, source, refuse) };
}

const RUN_KINDS: readonly RunKind[] = ['failover', 'failback'];

function checkedPlans(
  parsed: Record<string, unknown>,
  config: SwitchbackConfig,
  source: string,
  refuse: (problem: string) => never,
): CompiledPlans {
  const { plans } = parsed;
  if (!isRecord(plans) || !Object.values(plans).every(isRecord)) {
    return refuse('`plans` is not the plans `sls package` writes (an object of failover and failback plans per service): package it again');
  }
  const actual = plansHash(plans as CompiledPlans);
  if (parsed.plansSha256 !== actual) {
    refuse(
      `plans hash mismatch: the file records ${String(parsed.plansSha256)} but its plans hash to ${actual}; ` +
        `they were edited after \`sls package\` compiled them from ${source}. Edit ${source} and redeploy`,
    );
  }
  const configured = new Set(config.services.map((service) => service.name));
  for (const service of config.services) {
    const own = Object.hasOwn(plans, service.name) ? (plans[service.name] as Record<string, unknown>) : {};
    for (const kind of RUN_KINDS) {
      if (!Array.isArray(own[kind])) {
        refuse(
          `no ${kind} plan for service "${service.name}" (every configured service has a failover and a failback plan): package it again`,
        );
      }
    }
  }
  for (const name of Object.keys(plans)) {
    if (!configured.has(name)) refuse(`a plan for service "${name}", which ${source} does not configure: package it again`);
  }
  return plans as CompiledPlans;
}

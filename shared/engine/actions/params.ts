/** Reading a step's (already resolved) params with errors that name the step and the field. */
import { StepParamsError } from '../errors';
import type { ActionContext } from './types';

function fail(ctx: Pick<ActionContext, 'step'>, key: string, expected: string, value: unknown): never {
  throw new StepParamsError(`step ${ctx.step.id} (${ctx.step.action}): ${key} must be ${expected}, got ${JSON.stringify(value)}`, {
    context: { step: ctx.step.id, action: ctx.step.action, key },
  });
}

export function requireString(ctx: Pick<ActionContext, 'step' | 'params'>, key: string): string {
  const value = ctx.params[key];
  if (typeof value !== 'string' || value.length === 0) fail(ctx, key, 'a non-empty string', value);
  return value;
}

export function optionalString(ctx: Pick<ActionContext, 'step' | 'params'>, key: string): string | undefined {
  const value = ctx.params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(ctx, key, 'a string', value);
  return value;
}

/** A list of strings; a single string (a resolved `${steps.x.instanceId}`) or a comma-joined list counts too. */
export function requireStringList(ctx: Pick<ActionContext, 'step' | 'params'>, key: string): string[] {
  const value = ctx.params[key];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list)) fail(ctx, key, 'a list of strings', value);
  const flat = list.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item]));
  if (flat.length === 0 || flat.some((item) => typeof item !== 'string' || item.trim().length === 0))
    fail(ctx, key, 'a list of non-empty strings', value);
  return (flat as string[]).map((item) => item.trim());
}

export function optionalStringList(ctx: Pick<ActionContext, 'step' | 'params'>, key: string): string[] | undefined {
  return ctx.params[key] === undefined ? undefined : requireStringList(ctx, key);
}

export function optionalBoolean(ctx: Pick<ActionContext, 'step' | 'params'>, key: string, fallback: boolean): boolean {
  const value = ctx.params[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(ctx, key, 'true or false', value);
  return value;
}

export function requirePositiveNumber(ctx: Pick<ActionContext, 'step' | 'params'>, key: string, fallback?: number): number {
  const value = ctx.params[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(ctx, key, 'a positive number', value);
  return value;
}

export function optionalStringMap(ctx: Pick<ActionContext, 'step' | 'params'>, key: string): Record<string, string> | undefined {
  const value = ctx.params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    fail(ctx, key, 'a map of strings', value);
  }
  return value as Record<string, string>;
}

/** EC2 steps carry their region (the plan fills in the site's); fall back to the secondary's. */
export function regionOf(ctx: Pick<ActionContext, 'step' | 'params' | 'service'>): string {
  return optionalString(ctx, 'region') ?? ctx.service.secondary.region;
}

/**
 * EventBridge event pattern matching, the subset rules on an event bus use
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
 * - every field the pattern names must be in the event, with the same nesting; fields the pattern
 *   does not name are ignored;
 * - a leaf is an array of alternatives (OR); the fields of an object are all required (AND);
 * - matching is exact and case-sensitive (`equals-ignore-case` aside);
 * - when the event's value is an array, the pattern matches if any element matches
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html);
 * - operators: `prefix`, `suffix`, `anything-but` (a value, a list, or `{ prefix }`), `exists`,
 *   `equals-ignore-case`, `numeric`.
 * A pattern that is not of this shape is refused (`InvalidEventPatternException` in PutRule).
 */

export class InvalidEventPatternError extends Error {}

type Leaf = string | number | boolean | null;
type Matcher = Leaf | Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function matchesNumeric(spec: unknown, value: unknown): boolean {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0)
    throw new InvalidEventPatternError('numeric takes pairs of operator and number');
  if (typeof value !== 'number') return false;
  for (let index = 0; index < spec.length; index += 2) {
    const compare = NUMERIC_OPERATORS[String(spec[index])];
    const bound = spec[index + 1];
    if (!compare || typeof bound !== 'number') throw new InvalidEventPatternError(`numeric: bad comparison ${JSON.stringify(spec)}`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

/** One alternative of a leaf against one (non-array) event value. `exists` is handled by the caller. */
function matchesAlternative(alternative: Matcher, value: unknown): boolean {
  if (!isObject(alternative)) return value === alternative;
  const [operator, ...rest] = Object.keys(alternative);
  if (operator === undefined || rest.length > 0)
    throw new InvalidEventPatternError(`a matcher object holds exactly one operator: ${JSON.stringify(alternative)}`);
  const argument = alternative[operator];
  switch (operator) {
    case 'prefix':
      if (typeof argument !== 'string') throw new InvalidEventPatternError('prefix takes a string');
      return typeof value === 'string' && value.startsWith(argument);
    case 'suffix':
      if (typeof argument !== 'string') throw new InvalidEventPatternError('suffix takes a string');
      return typeof value === 'string' && value.endsWith(argument);
    case 'equals-ignore-case':
      if (typeof argument !== 'string') throw new InvalidEventPatternError('equals-ignore-case takes a string');
      return typeof value === 'string' && value.toLowerCase() === argument.toLowerCase();
    case 'numeric':
      return matchesNumeric(argument, value);
    case 'anything-but': {
      if (isObject(argument)) {
        if (typeof argument.prefix !== 'string') throw new InvalidEventPatternError('anything-but takes a value, a list or { prefix }');
        return typeof value === 'string' && !value.startsWith(argument.prefix);
      }
      const excluded = Array.isArray(argument) ? argument : [argument];
      return !excluded.some((item) => item === value);
    }
    default:
      throw new InvalidEventPatternError(`unknown operator "${operator}"`);
  }
}

function matchesLeaf(alternatives: unknown[], present: boolean, value: unknown): boolean {
  return alternatives.some((alternative) => {
    if (isObject(alternative) && 'exists' in alternative) return alternative.exists === present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((item) => matchesAlternative(alternative as Matcher, item));
  });
}

function validateAlternative(key: string, alternative: unknown): void {
  if (!isObject(alternative)) {
    if (Array.isArray(alternative) || alternative === undefined)
      throw new InvalidEventPatternError(`"${key}": a value in the list must be a string, number, boolean, null or one operator`);
    return;
  }
  if ('exists' in alternative) {
    if (typeof alternative.exists !== 'boolean' || Object.keys(alternative).length !== 1)
      throw new InvalidEventPatternError(`"${key}": exists takes true or false`);
    return;
  }
  // Probe the operator with a value of each kind: a malformed argument throws whatever the value.
  for (const probe of ['', 0]) matchesAlternative(alternative, probe);
}

function validateNode(pattern: Record<string, unknown>): void {
  for (const [key, expected] of Object.entries(pattern)) {
    if (Array.isArray(expected)) {
      if (expected.length === 0) throw new InvalidEventPatternError(`"${key}": an empty list matches nothing`);
      for (const alternative of expected) validateAlternative(key, alternative);
    } else if (isObject(expected)) {
      if (Object.keys(expected).length === 0) throw new InvalidEventPatternError(`"${key}": an empty object matches nothing`);
      validateNode(expected);
    } else {
      throw new InvalidEventPatternError(`"${key}": a leaf must be a list of values, e.g. ["${String(expected)}"]`);
    }
  }
}

/** Check a pattern's shape (PutRule refuses a bad pattern with InvalidEventPatternException). */
export function validateEventPattern(pattern: unknown): void {
  if (!isObject(pattern) || Object.keys(pattern).length === 0)
    throw new InvalidEventPatternError('an event pattern is a non-empty JSON object');
  validateNode(pattern);
}

/** Whether `event` matches a pattern that validateEventPattern accepted. */
export function matchesEventPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.prototype.hasOwnProperty.call(fields, key);
    const value = fields[key];
    if (Array.isArray(expected)) return matchesLeaf(expected, present, value);
    // A nested pattern needs the nested object in the event.
    return present && isObject(value) && matchesEventPattern(expected as Record<string, unknown>, value);
  });
}

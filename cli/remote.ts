/**
 * `switchback status|control|drill|invoke`: the operator functions of a deployed stage, invoked
 * from a laptop through the Lambda API (the same as `sls invoke -f NAME --data '…'`, without the
 * serverless CLI). The config file gives the control region; credentials come from the usual AWS
 * environment/profile chain.
 */
import { createAwsClients, type CreateAwsClientsOptions } from '../shared/aws/clients';
import { createLambdaAdapter, lambdaClientFactory, type LambdaAdapter } from '../shared/aws/lambda';
import { describeError } from '../shared/errors';
import { functionName, type FunctionKey } from '../serverless/naming';
import { EXIT, type CliIo } from './io';
import { formatStatus } from './status-table';
import { loadForCli } from './validate';

export const OPERATOR_FUNCTIONS = ['status', 'control', 'drill', 'probe', 'alarm', 'orchestrator'] as const;

export interface RemoteOptions {
  config: string;
  stage: string;
  region?: string;
  /** Tests point the real Lambda client at the embedded world. */
  awsOptions?: Pick<CreateAwsClientsOptions, 'clientConfig' | 'onClientCreated'>;
  /** Print the function's answer as JSON even where a human rendering exists (`status`). */
  json?: boolean;
  /** The clock for "3m ago" (tests pin it). */
  now?: () => number;
  /** Sees a successful answer before it is printed (e.g. `drill report --html` draws it). */
  onAnswer?: (answer: unknown) => void;
}

function lambdaFor(controlRegion: string, options: RemoteOptions): LambdaAdapter {
  const clients = createAwsClients({
    defaultRegion: options.region ?? controlRegion,
    factories: { lambda: lambdaClientFactory },
    maxAttempts: 3,
    ...options.awsOptions,
  });
  return createLambdaAdapter(clients);
}

export async function runRemote(fn: string, payload: unknown, options: RemoteOptions, io: CliIo): Promise<number> {
  if (!(OPERATOR_FUNCTIONS as readonly string[]).includes(fn)) {
    io.stderr.write(`invoke: unknown function "${fn}"; functions: ${OPERATOR_FUNCTIONS.join(', ')}\n`);
    return EXIT.invalid;
  }
  const config = loadForCli(options.config, io);
  if (typeof config === 'number') return config;
  const name = functionName(options.stage, fn as FunctionKey);
  let answer: unknown;
  try {
    answer = await lambdaFor(config.controlRegion, options).invokeFunction(name, payload, {
      region: options.region ?? config.controlRegion,
    });
  } catch (error) {
    io.stderr.write(`${fn}: ${describeError(error)}\n`);
    return EXIT.failed;
  }
  options.onAnswer?.(answer);
  const human = fn === 'status' && !options.json ? formatStatus(answer, (options.now ?? Date.now)()) : undefined;
  io.stdout.write(`${human ?? JSON.stringify(answer, null, 2)}\n`);
  // Operator functions answer bad input with { ok: false, error } rather than failing.
  return answer && typeof answer === 'object' && (answer as { ok?: unknown }).ok === false ? EXIT.invalid : EXIT.ok;
}

export function parsePayload(text: string | undefined, io: CliIo): { payload: unknown } | { exit: number } {
  if (text === undefined) return { payload: {} };
  try {
    return { payload: JSON.parse(text) };
  } catch {
    io.stderr.write(`--data must be JSON, e.g. '{"service":"web"}'\n`);
    return { exit: EXIT.invalid };
  }
}

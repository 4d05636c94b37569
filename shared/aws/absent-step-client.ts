/**
 * What a function bundle holds in place of a step client (RDS, Auto Scaling, ECS) that no configured
 * step uses: `sls package` leaves such a client out (serverless/step-clients.ts), and the bundle's
 * compiled config is the same configuration, so no step of it can reach one. If something does, it
 * fails with this message instead of a minified TypeError.
 */
import { SwitchbackError } from '../errors';

export class StepClientNotBundledError extends SwitchbackError {
  override readonly name: string = 'StepClientNotBundledError';
  constructor(readonly client: string) {
    super(
      `the ${client} client is not in this function's bundle: no step of the configuration it was packaged with uses ${client} ` +
        `(sls package bundles only the step clients the configured steps use); package and deploy again with the configuration that has the step`,
      { context: { client } },
    );
  }
}

/** A stand-in for the factory or adapter constructor of an absent step client: throws when called, never before. */
export function absentStepClient(client: string): (...args: unknown[]) => never {
  return () => {
    throw new StepClientNotBundledError(client);
  };
}

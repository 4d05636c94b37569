/**
 * `switchback local-table` (`npm run local-table`): the embedded DynamoDB (dynalite) on a fixed
 * loopback port with the stage's table created, so `sls invoke local` runs the functions offline
 * against a real table: `AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 npx sls invoke local …`.
 */
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../sim/dynamo';
import type { CliIo } from './io';

export interface LocalTableOptions {
  port: number;
  table: string;
}

export async function startLocalTable(options: LocalTableOptions, io: CliIo): Promise<EmbeddedDynamo> {
  const dynamo = await startEmbeddedDynamo({ port: options.port });
  await dynamo.createTable(options.table);
  io.stdout.write(
    [
      `DynamoDB (dynalite) on ${dynamo.endpoint} with table ${options.table}. In another shell:`,
      `  export AWS_ENDPOINT_URL_DYNAMODB=${dynamo.endpoint} AWS_REGION=us-west-2 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
      `  npx sls invoke local -f status --path events/status.json   # with no switchback.yml: --param allowExampleConfig=true`,
      'Ctrl-C stops it (the table lives in memory only).',
      '',
    ].join('\n'),
  );
  return dynamo;
}

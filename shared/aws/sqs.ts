/**
 * SQS adapter: the probe chain's links (../domain/probe-chain). One call, SendMessage with a message
 * timer (`DelaySeconds` 0–900: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
 * The queue is this location's own (`switchback-<stage>-probe-chain`, same region as the function:
 * an SQS event source mapping needs queue and function in one region,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html); its URL is built from the account of
 * the invoked function's ARN, so the environment needs no CloudFormation reference.
 */
import { SendMessageCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { SwitchbackError } from '../errors';
import type { ChainLink } from '../domain/probe-chain';
import { CHAIN_SOURCE } from '../domain/probe-chain';
import type { AwsClientFactory, AwsClients } from './clients';
import { callAws } from './errors';

export const sqsClientFactory: AwsClientFactory<SQSClient> = (config) => new SQSClient(config as SQSClientConfig);

export interface ChainQueue {
  /** Send `link` to be delivered `delaySeconds` from now. */
  send(link: ChainLink, delaySeconds: number, accountId: string | undefined): Promise<void>;
}

export function queueUrl(region: string, accountId: string, queueName: string): string {
  return `https://sqs.${region}.amazonaws.com/${accountId}/${queueName}`;
}

export function createChainQueue(clients: AwsClients, options: { region: string; queueName: string }): ChainQueue {
  return {
    async send(link, delaySeconds, accountId) {
      if (!accountId)
        throw new SwitchbackError(`probe chain: the account is unknown (no function ARN), cannot address queue ${options.queueName}`);
      const url = queueUrl(options.region, accountId, options.queueName);
      await callAws('sqs:SendMessage', url, () =>
        clients.sqs(options.region).send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: JSON.stringify({ source: CHAIN_SOURCE, ...link }),
            DelaySeconds: delaySeconds,
          }),
        ),
      );
    },
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { ALL_AWS_CLIENT_FACTORIES } from '../../../shared/aws/all-client-factories';
import { type AwsClientConfig, createAwsClients, MissingAwsClientError } from '../../../shared/aws/clients';
import { AwsActionError } from '../../../shared/aws/errors';
import { createSnsAdapter, snsClientFactory } from '../../../shared/aws/sns';

function spyFactory() {
  const configs: AwsClientConfig[] = [];
  const factory = (config: AwsClientConfig) => {
    configs.push(config);
    return { id: configs.length, config } as never;
  };
  return { configs, factory };
}

describe('createAwsClients', () => {
  it('builds nothing until a client is asked for, then caches one client per service and region', () => {
    const ec2 = spyFactory();
    const clients = createAwsClients({ defaultRegion: 'us-east-1', factories: { ec2: ec2.factory } });
    expect(ec2.configs).toHaveLength(0);
    const west = clients.ec2('us-west-2');
    expect(clients.ec2('us-west-2')).toBe(west);
    expect(clients.ec2('eu-west-1')).not.toBe(west);
    expect(ec2.configs.map((config) => config.region)).toEqual(['us-west-2', 'eu-west-1']);
  });

  it('uses maxAttempts 1 by default (our retry is the only one) and the default region when none is given', () => {
    const sns = spyFactory();
    const clients = createAwsClients({ defaultRegion: 'us-east-1', factories: { sns: sns.factory } });
    clients.sns();
    clients.sns('us-east-1');
    expect(sns.configs).toEqual([{ region: 'us-east-1', maxAttempts: 1 }]);
  });

  it('signs Route 53 in us-east-1 whatever the control region', () => {
    const route53 = spyFactory();
    createAwsClients({ defaultRegion: 'eu-west-1', factories: { route53: route53.factory } }).route53();
    expect(route53.configs[0].region).toBe('us-east-1');
  });

  it('passes request timeouts that throw, and lets clientConfig override (the embedded world)', () => {
    const lambda = spyFactory();
    const clients = createAwsClients({
      defaultRegion: 'us-east-1',
      requestTimeoutMs: 3000,
      connectionTimeoutMs: 1000,
      factories: { lambda: lambda.factory },
      clientConfig: (service, region) => ({
        endpoint: `http://127.0.0.1:4566/${service}/${region}`,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      }),
    });
    clients.lambda('us-west-2');
    expect(lambda.configs[0]).toEqual({
      region: 'us-west-2',
      maxAttempts: 1,
      requestHandler: { requestTimeout: 3000, connectionTimeout: 1000, throwOnRequestTimeout: true },
      endpoint: 'http://127.0.0.1:4566/lambda/us-west-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
  });

  it('names the missing factory when a function asks for a client it was not wired with', () => {
    const clients = createAwsClients({ defaultRegion: 'us-east-1', factories: {} });
    expect(() => clients.ec2('us-west-2')).toThrow(MissingAwsClientError);
    expect(() => clients.ec2('us-west-2')).toThrow("pass factories.ec2 (ec2ClientFactory from 'shared/aws/ec2')");
  });

  it('requires a region for EC2', () => {
    const ec2 = spyFactory();
    expect(() => createAwsClients({ defaultRegion: 'us-east-1', factories: { ec2: ec2.factory } }).ec2('')).toThrow(
      'ec2 needs an explicit region',
    );
  });

  it('builds real SDK clients with one attempt', async () => {
    const clients = createAwsClients({ defaultRegion: 'us-east-1', requestTimeoutMs: 2500, factories: ALL_AWS_CLIENT_FACTORIES });
    const ec2 = clients.ec2('us-west-2');
    expect(ec2).toBeInstanceOf(EC2Client);
    expect(clients.route53()).toBeInstanceOf(Route53Client);
    expect(clients.sns()).toBeInstanceOf(SNSClient);
    await expect(ec2.config.region()).resolves.toBe('us-west-2');
    await expect(ec2.config.maxAttempts()).resolves.toBe(1);
  });
});

describe('real clients against a loopback endpoint', () => {
  let server: Server;
  let requests = 0;
  let behaviour: 'hang' | 'unavailable' = 'hang';
  let endpoint = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      if (behaviour === 'unavailable') {
        response.writeHead(503, { 'content-type': 'text/xml' });
        response.end(
          '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>down</Message></Error><RequestId>r</RequestId></ErrorResponse>',
        );
      }
      // 'hang': never answer; the client's request timeout must fire.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests = 0;
  });

  function loopbackClients() {
    return createAwsClients({
      defaultRegion: 'us-east-1',
      requestTimeoutMs: 300,
      factories: { sns: snsClientFactory },
      clientConfig: () => ({ endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
    });
  }

  it('a request over requestTimeoutMs fails once with a transient TimeoutError (no SDK retry)', async () => {
    behaviour = 'hang';
    const sns = createSnsAdapter(loopbackClients());
    const failure = await sns.publishToTopic('arn:aws:sns:us-east-1:123456789012:t', 'hi').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsActionError);
    expect(failure).toMatchObject({ kind: 'transient' });
    expect(requests).toBe(1);
  });

  it('a 503 is transient and is not retried by the SDK', async () => {
    behaviour = 'unavailable';
    const sns = createSnsAdapter(loopbackClients());
    const failure = await sns.publishToTopic('arn:aws:sns:us-east-1:123456789012:t', 'hi').catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'transient', code: 'ServiceUnavailable' });
    expect(requests).toBe(1);
  });
});

/**
 * HTTPS probes against loopback servers using the certificates in test/fixtures/tls
 * (see its README for how they were made).
 */
import tls from 'node:tls';
import { createProber, type Prober } from '../../../shared/probes';
import { answerOk, httpSpec, readFixture, startServer, type TestServer } from './probe-test-kit';

const key = readFixture('server.key');
const caPem = readFixture('ca.pem');

describe('https probes', () => {
  let prober: Prober;
  const servers: TestServer[] = [];

  beforeEach(() => {
    prober = createProber({ maxConcurrency: 8 });
  });
  afterEach(async () => {
    await prober.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  async function serveTls(cert: string, options: { SNICallback?: tls.TlsOptions['SNICallback'] } = {}): Promise<TestServer> {
    const server = await startServer(answerOk, { key, cert, ...options });
    servers.push(server);
    return server;
  }

  it('accepts a certificate from an added CA and refuses it without that CA', async () => {
    const server = await serveTls(readFixture('site.pem'));
    expect(await prober.probe(httpSpec(`${server.url}/health`, { caPem }))).toMatchObject({ ok: true, status: 200 });
    expect(await prober.probe(httpSpec(`${server.url}/health`))).toMatchObject({ ok: false, cause: 'TLS: untrusted issuer' });
    expect(server.requests).toHaveLength(1);
  });

  it('fails a self-signed certificate by default; tlsInsecure or caPem make it pass', async () => {
    const selfSigned = readFixture('self-signed.pem');
    const server = await serveTls(selfSigned);
    const result = await prober.probe(httpSpec(server.url));
    expect(result).toMatchObject({ ok: false, cause: 'TLS: self-signed certificate' });
    expect(result.status).toBeUndefined();
    expect(await prober.probe(httpSpec(server.url, { tlsInsecure: true }))).toMatchObject({ ok: true, status: 200 });
    expect(await prober.probe(httpSpec(server.url, { caPem: selfSigned }))).toMatchObject({ ok: true, status: 200 });
    expect(server.requests).toHaveLength(2);
  });

  it('trusts each added CA only for the probes that name it, in one prober', async () => {
    const selfSigned = readFixture('self-signed.pem');
    const site = await serveTls(readFixture('site.pem'));
    const own = await serveTls(selfSigned);
    expect(await prober.probe(httpSpec(site.url, { caPem, sni: 'site.test' }))).toMatchObject({ ok: true });
    expect(await prober.probe(httpSpec(own.url, { caPem: selfSigned }))).toMatchObject({ ok: true });
    expect(await prober.probe(httpSpec(own.url, { caPem }))).toMatchObject({ ok: false, cause: 'TLS: self-signed certificate' });
    expect(await prober.probe(httpSpec(site.url, { caPem: selfSigned, sni: 'site.test' }))).toMatchObject({
      ok: false,
      cause: 'TLS: untrusted issuer',
    });
  });

  it('reports an expired certificate, and tlsInsecure skips the check', async () => {
    const server = await serveTls(readFixture('expired.pem'));
    expect(await prober.probe(httpSpec(server.url, { caPem }))).toMatchObject({ ok: false, cause: 'TLS: certificate expired' });
    expect(await prober.probe(httpSpec(server.url, { tlsInsecure: true }))).toMatchObject({ ok: true });
  });

  it('reports a certificate for another name as a hostname mismatch', async () => {
    const server = await serveTls(readFixture('other.pem'));
    expect(await prober.probe(httpSpec(server.url, { caPem }))).toMatchObject({ ok: false, cause: 'TLS: hostname mismatch' });
    // The name checked is the SNI name: other.test matches.
    expect(await prober.probe(httpSpec(server.url, { caPem, sni: 'other.test' }))).toMatchObject({ ok: true });
  });

  describe('SNI', () => {
    // Sends site.pem to clients asking for site.test and other.pem (other.test only) to everyone else.
    const siteContext = tls.createSecureContext({ key, cert: readFixture('site.pem') });
    const sniOptions = {
      SNICallback: (servername: string, callback: (error: Error | null, context?: tls.SecureContext) => void) =>
        callback(null, servername === 'site.test' ? siteContext : undefined),
    };

    it('sends the sni override as the TLS server name and verifies against it', async () => {
      const server = await serveTls(readFixture('other.pem'), sniOptions);
      // By IP no server name is sent: the default certificate (other.test) does not match 127.0.0.1.
      expect(await prober.probe(httpSpec(server.url, { caPem }))).toMatchObject({ ok: false, cause: 'TLS: hostname mismatch' });
      expect(await prober.probe(httpSpec(`${server.url}/health`, { caPem, sni: 'site.test' }))).toMatchObject({ ok: true, status: 200 });
      expect(server.requests).toEqual([{ method: 'GET', url: '/health', host: `127.0.0.1:${server.port}`, servername: 'site.test' }]);
    });

    it('sends the URL host name as the server name when neither sni nor a Host header is given', async () => {
      const server = await serveTls(readFixture('other.pem'), sniOptions);
      expect(await prober.probe(httpSpec(`https://localhost:${server.port}/`, { tlsInsecure: true }))).toMatchObject({ ok: true });
      expect(server.requests.map((request) => request.servername)).toEqual(['localhost']);
    });

    it('derives the server name from the Host header when no sni is given', async () => {
      const server = await serveTls(readFixture('other.pem'), sniOptions);
      expect(await prober.probe(httpSpec(server.url, { caPem, hostHeader: `site.test:${server.port}` }))).toMatchObject({ ok: true });
      // sni wins over the Host header.
      expect(await prober.probe(httpSpec(server.url, { caPem, hostHeader: 'site.test', sni: 'other.test' }))).toMatchObject({ ok: true });
      expect(server.requests.map((request) => [request.host, request.servername])).toEqual([
        [`site.test:${server.port}`, 'site.test'],
        ['site.test', 'other.test'],
      ]);
    });
  });
});

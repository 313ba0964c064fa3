// The stand-ins' HTTPS option (the benchmark's real network): a CA made for the run that a spawned
// Node trusts only through NODE_EXTRA_CA_CERTS, connections and handshakes counted per server, and the
// latency relay's round trips, measured on the server's request order, not a wall clock.
import { execFile } from 'node:child_process';
import { makeTestCa, type TestCa } from '../support/test-ca.ts';
import { startOidc, type OidcServer } from '../support/oidc-server.ts';
import { startSts } from '../support/sts-server.ts';
import { createListener } from '../support/net-listener.ts';
import { startLatencyProxy } from '../support/latency-proxy.ts';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'node:https';

// Two GETs on one keep-alive agent, as the action's clients do; prints each status or the error code.
const TWO_REQUESTS = `
const https = require('node:https');
const agent = new https.Agent({ keepAlive: true });
const get = () => new Promise((resolve) => {
  const req = https.get(process.env.URL, { agent, headers: { authorization: 'Bearer ' + process.env.BEARER } }, res => {
    res.resume();
    res.on('end', () => resolve(String(res.statusCode)));
  });
  req.on('error', e => resolve(e.code));
});
(async () => { console.log(await get(), await get()); agent.destroy(); })();
`;

function spawnNode(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', TWO_REQUESTS], { env: { PATH: process.env['PATH'] ?? '', ...env } }, (error, stdout) =>
      error === null ? resolve(stdout.trim()) : reject(new Error(error.message))
    );
  });
}

describe('stand-ins over TLS', () => {
  let ca: TestCa;
  let oidc: OidcServer;
  beforeAll(async () => {
    ca = makeTestCa();
    oidc = await startOidc({ listener: { tls: { key: ca.key, cert: ca.cert } } });
  });
  afterAll(async () => {
    await oidc.close();
    ca.dispose();
  });

  it('serves https to a process that trusts the run CA through NODE_EXTRA_CA_CERTS: one connection, one handshake for two requests', async () => {
    expect(oidc.requestUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    const before = { ...oidc.counts };
    const out = await spawnNode({ URL: oidc.requestUrl, BEARER: oidc.requestToken, NODE_EXTRA_CA_CERTS: ca.caFile });
    expect(out).toBe('200 200');
    expect(oidc.counts.connections - before.connections).toBe(1);
    expect(oidc.counts.handshakes - before.handshakes).toBe(1);
  });

  it('is refused by a process that was not handed the CA (no handshake completes)', async () => {
    const before = { ...oidc.counts };
    const out = await spawnNode({ URL: oidc.requestUrl, BEARER: oidc.requestToken });
    expect(out).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY) /);
    expect(oidc.counts.handshakes - before.handshakes).toBe(0);
    expect(oidc.counts.connections - before.connections).toBeGreaterThanOrEqual(1);
  });

  it('gives the STS stand-in an https URL with the same certificate', async () => {
    const sts = await startSts({ listener: { tls: { key: ca.key, cert: ca.cert } } });
    try {
      expect(sts.url).toBe(`https://127.0.0.1:${sts.port}`);
      expect(sts.counts).toEqual({ connections: 0, handshakes: 0 });
    } finally {
      await sts.close();
    }
  });
});

describe('the latency relay', () => {
  it('makes a new TLS connection pay its handshakes before its first answer, and a warm one only its round trip', async () => {
    const ca = makeTestCa();
    const order: string[] = [];
    const arrived = new Map<string, number>();
    const { server, counts } = createListener({ tls: { key: ca.key, cert: ca.cert } }, (req, res) => {
      order.push(req.url ?? '');
      arrived.set(req.url ?? '', Date.now());
      res.end('ok');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const relay = await startLatencyProxy((server.address() as AddressInfo).port, 200);
    const get = (path: string, agent: Agent): Promise<string> =>
      new Promise((resolve, reject) => {
        request({ host: '127.0.0.1', port: relay.port, path, agent, ca: ca.caPem }, res => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
    const [warm, cold] = [new Agent({ keepAlive: true }), new Agent({ keepAlive: true })];
    try {
      expect(await get('/warm-first', warm)).toBe('ok');
      // Sent together: the warm request reaches the server half a round trip later; the cold one only
      // after TCP's round trip, TLS's, and half of its own. Lower bounds only: timers never fire early.
      const sent = Date.now();
      expect(await Promise.all([get('/cold-first', cold), get('/warm-second', warm)])).toEqual(['ok', 'ok']);
      expect(order).toEqual(['/warm-first', '/warm-second', '/cold-first']);
      expect(arrived.get('/warm-second')! - sent).toBeGreaterThanOrEqual(100 - 2);
      expect(arrived.get('/cold-first')! - sent).toBeGreaterThanOrEqual(500 - 2);
      expect(counts).toEqual({ connections: 2, handshakes: 2 });
    } finally {
      warm.destroy();
      cold.destroy();
      await relay.close();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
      ca.dispose();
    }
  });

  it('points a stand-in URL at itself, keeping its scheme, path and query', async () => {
    const relay = await startLatencyProxy(1, 50);
    try {
      expect(relay.through('https://127.0.0.1:4000/token?api-version=2.0')).toBe(`https://127.0.0.1:${relay.port}/token?api-version=2.0`);
      expect(relay.through('https://127.0.0.1:4000')).toBe(`https://127.0.0.1:${relay.port}`);
    } finally {
      await relay.close();
    }
  });
});

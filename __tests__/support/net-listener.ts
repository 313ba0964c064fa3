// How a stand-in listens: plain HTTP, or HTTPS with a certificate the caller brings (a CA made per run,
// test-ca.ts), with counts of TCP connections and TLS handshakes. Network latency is not its concern:
// the benchmark puts a relay in front (latency-proxy.ts).
import { createServer as createHttpServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface TlsIdentity {
  /** PEM private key of the leaf. */
  key: string;
  /** PEM leaf certificate (for 127.0.0.1 and localhost), signed by a CA the client trusts. */
  cert: string;
}

export interface ListenerOptions {
  tls?: TlsIdentity;
}

export interface NetCounts {
  /** TCP connections accepted. */
  connections: number;
  /** TLS handshakes completed (0 without TLS). */
  handshakes: number;
}

export interface Listener {
  server: Server;
  scheme: 'http' | 'https';
  counts: NetCounts;
  /** Date.now() of each accepted TCP connection, in order. */
  connectedAt: number[];
}

/** A server for `handler`, counting what clients open on it. */
export function createListener(options: ListenerOptions, handler: RequestListener): Listener {
  const counts: NetCounts = { connections: 0, handshakes: 0 };
  const connectedAt: number[] = [];
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  server.on('connection', () => {
    counts.connections += 1;
    connectedAt.push(Date.now());
  });
  if (options.tls) server.on('secureConnection', () => (counts.handshakes += 1));
  return { server, scheme: options.tls ? 'https' : 'http', counts, connectedAt };
}

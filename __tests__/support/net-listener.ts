// How a stand-in listens: plain HTTP, or HTTPS with a certificate the caller brings (a CA made per run,
// scripts/bench/tls.ts), with counts of TCP connections and TLS handshakes and a delay on the first
// answer of each new connection (what a connection costs on a real network: TCP and TLS round trips).
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

export interface TlsIdentity {
  /** PEM private key of the leaf. */
  key: string;
  /** PEM leaf certificate (for 127.0.0.1 and localhost), signed by a CA the client trusts. */
  cert: string;
}

export interface ListenerOptions {
  tls?: TlsIdentity;
  /** Delay before the first answer on each new connection, in ms. */
  connectionLatencyMs?: number;
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

/** A server whose handler runs only once the connection's one-off delay (if any) has passed. */
export function createListener(options: ListenerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): Listener {
  const counts: NetCounts = { connections: 0, handshakes: 0 };
  const connectedAt: number[] = [];
  const answered = new WeakSet<Socket>();
  const delay = options.connectionLatencyMs ?? 0;
  const listener: RequestListener = (req, res) => {
    if (delay <= 0 || answered.has(req.socket)) return handler(req, res);
    answered.add(req.socket);
    setTimeout(() => {
      if (!res.destroyed) handler(req, res);
    }, delay).unref();
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  server.on('connection', () => {
    counts.connections += 1;
    connectedAt.push(Date.now());
  });
  if (options.tls) server.on('secureConnection', () => void (counts.handshakes += 1));
  return { server, scheme: options.tls ? 'https' : 'http', counts, connectedAt };
}

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
  /** The handshakes' round trips: a new connection's first request is answered no earlier than this many ms after it was accepted. */
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

/**
 * A server whose handler runs a new connection's first request no earlier than `connectionLatencyMs`
 * after the connection was accepted: on a real network the handshakes' round trips start when the
 * client connects, so a client that connects early and sends later (while it loads code) pays less.
 */
export function createListener(options: ListenerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): Listener {
  const counts: NetCounts = { connections: 0, handshakes: 0 };
  const connectedAt: number[] = [];
  // When each socket the handler sees was accepted (the TLS socket once its handshake is done: on loopback that is the same moment).
  const acceptedAt = new WeakMap<Socket, number>();
  const delay = options.connectionLatencyMs ?? 0;
  const listener: RequestListener = (req, res) => {
    const accepted = acceptedAt.get(req.socket);
    if (delay <= 0 || accepted === undefined) return handler(req, res);
    acceptedAt.delete(req.socket);
    const wait = accepted + delay - Date.now();
    if (wait <= 0) return handler(req, res);
    setTimeout(() => {
      if (!res.destroyed) handler(req, res);
    }, wait).unref();
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    counts.connections += 1;
    connectedAt.push(Date.now());
    if (!options.tls) acceptedAt.set(socket, Date.now());
  });
  if (options.tls) {
    server.on('secureConnection', (socket: Socket) => {
      counts.handshakes += 1;
      acceptedAt.set(socket, Date.now());
    });
  }
  return { server, scheme: options.tls ? 'https' : 'http', counts, connectedAt };
}

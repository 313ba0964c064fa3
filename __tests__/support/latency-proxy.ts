// The network between a step and a stand-in, for the benchmark: a TCP relay on 127.0.0.1 that holds
// every chunk for half a round trip each way, and what the client sends first until its TCP
// handshake would have finished. TLS passes through untouched, so its handshake costs its round
// trips as on a real network, and a client that is busy (loading code) when a packet arrives pays
// for exactly the time it was busy, no more: it answers the server's handshake when its thread is free.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  port: number;
  /** `url` (a stand-in's), pointed at this relay instead. */
  through(url: string): string;
  close(): Promise<void>;
}

/** A relay to 127.0.0.1:`targetPort` that adds `rttMs` of round trip to every exchange. */
export async function startLatencyProxy(targetPort: number, rttMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, client => {
    // The client's SYN left now: nothing it sends can leave before the SYN-ACK is back, one round trip later.
    const handshaken = Date.now() + rttMs;
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream, rttMs / 2, handshaken);
    relay(upstream, client, rttMs / 2, 0);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    through(url) {
      const relayed = new URL(url);
      relayed.port = String(port);
      return relayed.href.replace(/\/$/, url.endsWith('/') ? '/' : '');
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise(resolve => server.close(() => resolve()));
    }
  };
}

/** Copies `from` to `to`, each chunk (and the end) delivered `oneWayMs` after it was sent, in order. */
function relay(from: Socket, to: Socket, oneWayMs: number, notBefore: number): void {
  let due = 0;
  const later = (deliver: () => void): void => {
    // In order: a chunk never overtakes the one before it, as on one TCP stream.
    due = Math.max(due, Math.max(Date.now(), notBefore) + oneWayMs);
    setTimeout(deliver, due - Date.now());
  };
  from.on('data', chunk => later(() => to.destroyed || to.write(chunk)));
  from.on('end', () => later(() => to.destroyed || to.end()));
  // A reset is no packet to delay: the other side learns of it at once.
  from.on('error', () => to.destroy());
  from.on('close', hadError => hadError && to.destroy());
}

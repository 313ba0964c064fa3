// A keep-alive agent that opens its first connection to STS as soon as the run knows it will call STS,
// while the SDK loads (and, on the OIDC path, while the token is answered): on a real network the TCP
// and TLS handshakes cost round trips that would otherwise come after the SDK load, in series.
// The connection is the one the first call then uses (and GetCallerIdentity after it, keep-alive):
// nothing extra is opened, and a connection that fails or closes meanwhile is simply replaced.
import type { Agent as HttpAgent, AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';

type CreateConnection = (options: object, callback?: (error: Error | null, socket: Duplex) => void) => Duplex | null | undefined;

/** How long an opened connection waits for its first request before it is closed unused (the SDK loads in well under this). */
export const PRECONNECT_IDLE_MS = 30_000;

/**
 * `agent` with one connection to `endpoint` opening now. The agent hands it to the first request it
 * creates a connection for on that host and port; until then it does not hold the process open.
 */
export function preconnected<A extends HttpAgent>(agent: A, endpoint: URL): A {
  const port = Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80));
  const host = endpoint.hostname.replace(/^\[|\]$/g, '');
  const create = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(agent);
  const options: Record<string, unknown> = { ...(agent as unknown as { options: AgentOptions }).options, host, port };
  // As the agent itself would: SNI names the host unless it is an IP address.
  if (endpoint.protocol === 'https:' && !/^[\d.]+$|:/.test(host)) options['servername'] = host;
  let spare: Duplex | undefined = create(options) ?? undefined;
  if (spare === undefined) return agent;
  const socket = spare;
  // An error before a request takes it: the request opens its own connection and meets the error itself.
  const drop = (): void => {
    if (spare === socket) spare = undefined;
    socket.destroy();
  };
  socket.on('error', drop);
  socket.on('close', drop);
  unref(socket);
  const idle = setTimeout(drop, PRECONNECT_IDLE_MS).unref();
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (requested, callback) => {
    const wanted = requested as { host?: string; port?: number | string };
    if (spare === undefined || spare.destroyed || wanted.host !== host || Number(wanted.port) !== port) return create(requested, callback);
    spare = undefined;
    clearTimeout(idle);
    socket.off('error', drop);
    socket.off('close', drop);
    ref(socket);
    // Returned, as the built-in createConnection returns its socket: the agent then calls back itself.
    return socket;
  };
  return agent;
}

function unref(socket: Duplex): void {
  (socket as { unref?: () => void }).unref?.();
}

function ref(socket: Duplex): void {
  (socket as { ref?: () => void }).ref?.();
}

// A small forward proxy on 127.0.0.1: absolute-form HTTP requests and CONNECT tunnels, with optional
// Basic auth, recording what went through it so a test can prove a request used the proxy.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  target: string; // absolute URL, or host:port for CONNECT
  authorization?: string;
}

export interface ProxyServer {
  url: string; // http://127.0.0.1:<port>, or with user:password@ when auth is required
  port: number;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  user?: string;
  password?: string;
  /**
   * Only these hosts are reached; any other request is recorded and answered 502 without a connection,
   * so a test can see which host the action asked for (sts-fips.us-east-1.amazonaws.com…) while
   * nothing leaves this machine. Default: every host.
   */
  reachable?: (host: string) => boolean;
  /** Names only this proxy can resolve, as a service container's network does: 'localstack:4566' → '127.0.0.1:<port>'. */
  aliases?: Record<string, string>;
}

export async function startProxy(options: ProxyOptions = {}): Promise<ProxyServer> {
  const reachable = options.reachable ?? (() => true);
  const requests: ProxiedRequest[] = [];
  const expected = options.user === undefined ? undefined : `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
  const sockets = new Set<Socket>();
  const authorized = (req: IncomingMessage): boolean => expected === undefined || req.headers['proxy-authorization'] === expected;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', target: req.url ?? '', authorization: req.headers['proxy-authorization'] });
    if (!authorized(req)) return void res.writeHead(407, { 'Proxy-Authenticate': 'Basic' }).end();
    const target = new URL(req.url ?? '');
    if (!reachable(target.hostname)) return void res.writeHead(502).end();
    const alias = options.aliases?.[target.host];
    if (alias !== undefined) target.host = alias;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    requests.push({ method: 'CONNECT', target: req.url ?? '', authorization: req.headers['proxy-authorization'] });
    if (!authorized(req)) return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    if (!reachable(host)) return void client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const credentials = options.user === undefined ? '' : `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? '')}@`;
  return {
    url: `http://${credentials}127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })
  };
}

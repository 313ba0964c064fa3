// EC2 instance metadata (IMDSv2 only, `HttpTokens: required`) on 127.0.0.1, for
// AWS_EC2_METADATA_SERVICE_ENDPOINT: PUT /latest/api/token with a TTL header → a token; with that token,
// GET /latest/meta-data/iam/security-credentials/ → the instance profile's role name, and
// GET …/<name> → JSON Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration.
// A request without a valid token is answered 401, as IMDS does when IMDSv1 is off. The session it
// serves was issued by the STS stand-in for the instance role.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { IssuedSession } from './sts-server.ts';

const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials/';

export interface ImdsRequest {
  method: string;
  path: string;
  /** The token sent, if any. */
  token?: string;
}

export interface ImdsServer {
  /** For AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  endpoint: string;
  roleName: string;
  requests: ImdsRequest[];
  /** Tokens handed out: secrets, for the leak scan. */
  tokens: string[];
  /** 'hang' accepts connections and answers nothing: a host where IMDS does not answer. */
  mode: 'ok' | 'hang';
  close(): Promise<void>;
}

export async function startImds(options: { roleName: string; session: () => IssuedSession }): Promise<ImdsServer> {
  const requests: ImdsRequest[] = [];
  const tokens: string[] = [];
  const sockets = new Set<Socket>();
  const state: ImdsServer = {
    endpoint: '',
    roleName: options.roleName,
    requests,
    tokens,
    mode: 'ok',
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })
  };
  const text = (res: ServerResponse, status: number, body: string, type = 'text/plain'): void => void res.writeHead(status, { 'Content-Type': type }).end(body);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const token = header(req, 'x-aws-ec2-metadata-token');
    requests.push({ method: req.method ?? '', path: req.url ?? '', ...(token === undefined ? {} : { token }) });
    if (state.mode === 'hang') return;
    if (req.url === '/latest/api/token') return issueToken(req, res);
    if (req.method !== 'GET') return text(res, 405, 'Method Not Allowed');
    if (token === undefined || !tokens.includes(token)) return text(res, 401, 'Unauthorized');
    if (req.url === CREDENTIALS_PATH) return text(res, 200, options.roleName);
    if (req.url !== `${CREDENTIALS_PATH}${options.roleName}`) return text(res, 404, 'Not Found');
    const session = options.session();
    const answer = {
      Code: 'Success',
      LastUpdated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Type: 'AWS-HMAC',
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      Token: session.sessionToken,
      Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z')
    };
    text(res, 200, JSON.stringify(answer, null, 2), 'application/json');
  });
  const issueToken = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'PUT') return text(res, 405, 'Method Not Allowed');
    const ttl = Number(header(req, 'x-aws-ec2-metadata-token-ttl-seconds'));
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(res, 400, 'Bad Request');
    const token = randomBytes(42).toString('base64');
    tokens.push(token);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds': String(ttl) }).end(token);
  };
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

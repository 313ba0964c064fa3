// The container credentials endpoint on 127.0.0.1, as ECS (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
// via 169.254.170.2), EKS Pod Identity (FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) and CodeBuild
// serve it: GET the path with the `Authorization` header → JSON AccessKeyId, SecretAccessKey, Token,
// Expiration, RoleArn. The session it serves was issued by the STS stand-in, so STS accepts its signatures.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { IssuedSession } from './sts-server.ts';

export interface ContainerRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface ContainerCredentialsServer {
  /** For AWS_CONTAINER_CREDENTIALS_FULL_URI: http to a loopback address is one the SDK allows. */
  fullUri: string;
  /** The token the endpoint requires in `Authorization` (EKS Pod Identity hands it out in a file). */
  authorizationToken: string;
  requests: ContainerRequest[];
  /** 'hang' answers nothing; 'error' answers 500, as an agent that cannot reach its credentials does. */
  mode: 'ok' | 'hang' | 'error';
  close(): Promise<void>;
}

export async function startContainerCredentials(options: { session: () => IssuedSession; path?: string; requireToken?: boolean }): Promise<ContainerCredentialsServer> {
  const path = options.path ?? '/v1/credentials';
  const authorizationToken = `eks-pod-identity-${randomBytes(24).toString('base64url')}`;
  const requests: ContainerRequest[] = [];
  const sockets = new Set<Socket>();
  const state: ContainerCredentialsServer = {
    fullUri: '',
    authorizationToken,
    requests,
    mode: 'ok',
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    if (state.mode === 'hang') return;
    if (state.mode === 'error') return json(res, 500, { code: 'InternalError', message: 'the agent could not fetch credentials' });
    if (req.method !== 'GET' || req.url !== path) return json(res, 404, { code: 'NotFound', message: 'no such path' });
    if ((options.requireToken ?? true) && req.headers.authorization !== authorizationToken) {
      return json(res, 401, { code: 'AccessDeniedException', message: 'invalid or missing authorization token' });
    }
    const session = options.session();
    json(res, 200, {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      Token: session.sessionToken,
      Expiration: session.expiration.toISOString(),
      RoleArn: session.roleArn
    });
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  state.fullUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return state;
}

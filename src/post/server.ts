// The post step's half of refresh-credentials: stop the local credentials server this run started.
// The state is not trusted blindly: the process on the recorded port must prove it is this run's
// server (the nonce) before the post step waits for, or kills, the recorded pid.
import { request } from 'node:http';
import { NONCE_HEADER, SERVER_STATE, SHUTDOWN_PATH } from '../export/refresh-server.js';
import { processAlive } from '../runtime.js';
import type { Env } from '../types.js';

const REQUEST_TIMEOUT_MS = 3_000;
const EXIT_WAIT_MS = 3_000;

interface ServerRecord {
  port: number;
  pid: number;
  nonce: string;
}

export function serverRecord(env: Env): ServerRecord | undefined {
  const text = env[`STATE_${SERVER_STATE}`];
  if (!text) return undefined;
  try {
    const { port, pid, nonce } = JSON.parse(text) as Partial<ServerRecord>;
    if (typeof port !== 'number' || typeof pid !== 'number' || typeof nonce !== 'string') return undefined;
    const valid = Number.isInteger(port) && port > 0 && port < 65536 && Number.isInteger(pid) && pid > 0 && /^[0-9a-f]{16,64}$/.test(nonce);
    return valid ? { port, pid, nonce } : undefined;
  } catch {
    return undefined;
  }
}

function askToStop(record: ServerRecord): Promise<number | 'refused' | 'no answer'> {
  return new Promise(resolve => {
    const req = request({ host: '127.0.0.1', port: record.port, path: SHUTDOWN_PATH, method: 'POST', headers: { [NONCE_HEADER]: record.nonce }, timeout: REQUEST_TIMEOUT_MS }, response => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', error => resolve((error as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'refused' : 'no answer'));
    req.end();
  });
}

async function exited(pid: number): Promise<boolean> {
  for (let waited = 0; waited < EXIT_WAIT_MS; waited += 50) {
    if (!processAlive(pid)) return true;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return !processAlive(pid);
}

/** Stops the server the state names; says what happened in one line. `ownPid` is the in-process server's (never killed). */
export async function stopServer(env: Env, info: (message: string) => void, ownPid = process.pid): Promise<void> {
  const record = serverRecord(env);
  if (record === undefined) {
    if (env[`STATE_${SERVER_STATE}`]) info('Ignored the recorded credentials server: not a record this action writes');
    return;
  }
  const answer = await askToStop(record);
  if (answer === 'refused') {
    info(`The local credentials server (port ${record.port}) had already stopped`);
    return;
  }
  if (answer !== 200) {
    info(`Left port ${record.port} and pid ${record.pid} alone: what answered there did not prove it is this run's credentials server`);
    return;
  }
  if (record.pid !== ownPid && !(await exited(record.pid))) process.kill(record.pid, 'SIGKILL');
  info(`Stopped the local credentials server (port ${record.port}, pid ${record.pid})`);
}

import type { ActionOutput } from './export.js';
import type { Env } from './inputs.js';
import type { ProxySettings } from './proxy.js';
import type { Pause } from './retry.js';
import type { Sts, StsConnection } from './sts.js';
import type { RunContext } from './tags.js';

/** Everything the run touches outside its own code; `main.ts` wires the real ones. */
export interface Runtime {
  env: Env;
  out: ActionOutput;
  pause: Pause;
  connectSts(connection: StsConnection): Sts;
  /** One request to the job's OIDC token endpoint for this audience. */
  requestIdToken(audience: string, proxy: ProxySettings): Promise<string>;
  readTokenFile(path: string): Promise<string>;
  runContext(): Promise<RunContext>;
}

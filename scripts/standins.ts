// Starts the local STS and GitHub OIDC stand-ins and keeps them running, for the self-test workflow
// and for trying the action by hand. Their addresses go to GITHUB_ENV (when set) and stdout.
import { appendFileSync } from 'node:fs';
import { USER, startWorld } from '../__tests__/support/world.ts';

const world = await startWorld();
const settings = {
  STANDIN_STS_URL: world.sts.url,
  STANDIN_OIDC_URL: world.oidc.requestUrl,
  STANDIN_OIDC_TOKEN: world.oidc.requestToken,
  STANDIN_ACCESS_KEY_ID: USER.accessKeyId,
  STANDIN_SECRET_ACCESS_KEY: USER.secretAccessKey
};
const lines = Object.entries(settings).map(([name, value]) => `${name}=${value}`);
if (process.env.GITHUB_ENV) appendFileSync(process.env.GITHUB_ENV, `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\nStand-ins running; stop with Ctrl-C.\n`);
process.on('SIGTERM', () => void world.close().then(() => process.exit(0)));
process.on('SIGINT', () => void world.close().then(() => process.exit(0)));

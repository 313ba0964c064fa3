// A later workflow step's Node tool, for machines without the AWS CLI: `aws sts get-caller-identity`
// done with the AWS SDK for JavaScript v3 and its default credential chain (env keys, SSO, shared
// files and profiles, credential_process, web identity token file, container/instance metadata).
// Run as its own process (`node sdk-caller-identity.ts ENDPOINT [PROFILE]`) with only the step's
// env, as a later step would be; aws-cli.ts builds that env. Output mimics the CLI's: the identity
// as JSON on stdout, or an error on stderr and a non-zero exit.
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SDK_STEP_APP_ID } from './aws-cli.ts';

async function main(endpoint: string, profile: string | undefined): Promise<number> {
  // AWS_DEFAULT_REGION is the CLI's variable; reading it too means an env the CLI path accepts is
  // accepted here. Without either, the SDK resolves the region itself (the profile's `region`).
  const region = process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'];
  const config: STSClientConfig = {
    endpoint,
    userAgentAppId: SDK_STEP_APP_ID,
    credentials: defaultProvider(profile === undefined ? {} : { profile })
  };
  if (region) config.region = region;
  if (profile !== undefined) config.profile = profile;
  try {
    const out = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    process.stdout.write(`${JSON.stringify({ UserId: out.UserId, Account: out.Account, Arn: out.Arn }, null, 4)}\n`);
    return 0;
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    // A service error in the CLI's words, so stderr checks such as '(ExpiredToken)' hold for both.
    const fromService = '$fault' in error; // set on every ServiceException, never on a client-side error
    process.stderr.write(fromService ? `\nAn error occurred (${error.name}) when calling the GetCallerIdentity operation: ${error.message}\n` : `${error.name}: ${error.message}\n`);
    return fromService ? 254 : 253; // the CLI v2's codes for a service error and for anything else
  }
}

const [endpoint, profile] = process.argv.slice(2);
if (endpoint === undefined) {
  process.stderr.write('usage: node sdk-caller-identity.ts ENDPOINT [PROFILE]\n');
  process.exitCode = 2;
} else {
  process.exitCode = await main(endpoint, profile);
}

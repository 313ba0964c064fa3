// The SDK classes sts.ts uses, bundled on their own (dist/sdk/index.js) so that they load only when a
// run calls STS, and in parallel with the OIDC token request; see `npm run package`.
export { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
// The providers of the SDK's standard Node chain that the runner's own identity is asked from
// (credentials/runner-providers.ts), each called on its own so the run knows which one answered.
export { fromHttp } from '@aws-sdk/credential-provider-http';
export { fromIni } from '@aws-sdk/credential-provider-ini';
export { fromInstanceMetadata } from '@smithy/credential-provider-imds';

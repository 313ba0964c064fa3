// The SDK classes sts.ts uses, bundled on their own (dist/sdk/index.js) so that they load only when a
// run calls STS, and in parallel with the OIDC token request; see `npm run package`.
export { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

// The runner's own identity, one provider of the SDK's standard Node chain at a time: the real I/O
// behind the `resolveAmbient` port. Each provider is given the step's settings explicitly where its
// API allows; EC2 instance metadata reads its endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT, _MODE) and
// AWS_EC2_METADATA_V1_DISABLED itself, from the step's own environment.
import type { StsSdk } from '../sts/client.js';
import type { AmbientAnswer, AmbientProvider, SessionCredentials } from '../types.js';

/** Per request: the SDK's own default, long enough for a metadata service on the same host. */
export const RUNNER_REQUEST_TIMEOUT_MS = 1000;
/**
 * The most one provider may take. Without IMDS the token request times out and the SDK tries IMDSv1
 * once more, so a machine without it costs two request timeouts, never more.
 */
export const RUNNER_PROVIDER_DEADLINE_MS = 2500;

interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export async function resolveWithSdk(provider: AmbientProvider, loadSdk: () => Promise<StsSdk>): Promise<AmbientAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<AmbientAnswer>(resolve => {
    timer = setTimeout(() => resolve({ missing: `no answer within ${RUNNER_PROVIDER_DEADLINE_MS / 1000} s` }), RUNNER_PROVIDER_DEADLINE_MS);
    timer.unref();
  });
  const asked = (async (): Promise<AmbientAnswer> => {
    try {
      return answer(await providerFor(provider, await loadSdk())());
    } catch (error) {
      return { missing: error instanceof Error ? error.message : String(error) };
    }
  })();
  try {
    return await Promise.race([asked, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function providerFor(provider: AmbientProvider, sdk: StsSdk): () => Promise<SdkCredentials> {
  const bounds = { timeout: RUNNER_REQUEST_TIMEOUT_MS, maxRetries: 0 };
  switch (provider.kind) {
    case 'profile':
      return sdk.fromIni({ profile: provider.profile, filepath: provider.credentialsFile, configFilepath: provider.configFile, ignoreCache: true });
    case 'container':
      // Given explicitly, so the SDK does not fall back to reading them from the process environment.
      return sdk.fromHttp({
        ...bounds,
        maxRetries: 1,
        awsContainerCredentialsFullUri: provider.fullUri ?? '',
        awsContainerCredentialsRelativeUri: provider.relativeUri ?? '',
        awsContainerAuthorizationToken: provider.authorizationToken ?? '',
        awsContainerAuthorizationTokenFile: provider.authorizationTokenFile ?? ''
      });
    case 'instance-metadata':
      return sdk.fromInstanceMetadata(bounds);
  }
}

/** Only complete credentials count: the SDK's shapes are checked, not trusted. */
function answer(found: SdkCredentials): AmbientAnswer {
  const text = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (!text(found.accessKeyId) || !text(found.secretAccessKey)) return { missing: 'the answer had no access key id and secret access key' };
  const credentials: SessionCredentials = { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey };
  if (text(found.sessionToken)) credentials.sessionToken = found.sessionToken;
  if (found.expiration instanceof Date && !Number.isNaN(found.expiration.getTime())) credentials.expiration = found.expiration;
  return { credentials };
}

// Masking: every secret is registered with the runner before anything could print it. A leaf module.
import type { StaticCredentials } from './types.js';

export interface Masker {
  setSecret(value: string): void;
}

export function maskCredentials(out: Masker, credentials: StaticCredentials): void {
  out.setSecret(credentials.accessKeyId);
  out.setSecret(credentials.secretAccessKey);
  if (credentials.sessionToken) out.setSecret(credentials.sessionToken);
}

/** With mask-aws-account-id the account id is a secret wherever it appears, ARNs included. */
export function maskAccount(out: Masker, enabled: boolean, account: string | undefined): void {
  // Only a real account id: masking a fragment such as '1' would hide every 1 in the log.
  if (enabled && account !== undefined && /^\d{12}$/.test(account)) out.setSecret(account);
}

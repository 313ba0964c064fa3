// The two endpoint settings the SDK also takes from the shared config file: use_fips_endpoint and
// use_dualstack_endpoint of the active profile (AWS_PROFILE, else default). Only these: an endpoint
// URL from the file is never used (the action always gives the SDK an explicit one).

export interface ConfigFileVariant {
  fips?: string;
  dualStack?: string;
}

/** The active profile's settings, from the config file's text (`[default]` or `[profile NAME]`). */
export function configFileVariant(text: string | undefined, profile: string): ConfigFileVariant {
  if (text === undefined) return {};
  const settings: Record<string, string> = {};
  let inProfile = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(profile\s+)?([^\]]+?)\s*\]/.exec(line);
    if (section) {
      // In the config file a profile is [profile NAME]; only default may go without the prefix.
      inProfile = section[2] === profile && (section[1] !== undefined || profile === 'default');
      continue;
    }
    // Sub-properties (indented lines under e.g. `s3 =`) belong to another service's settings.
    const setting = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
    if (inProfile && setting && !/^\s/.test(raw)) settings[setting[1]!.toLowerCase()] = setting[2]!.trim();
  }
  return { fips: settings.use_fips_endpoint, dualStack: settings.use_dualstack_endpoint };
}

import { configFileVariant } from '../../src/inputs/aws-config.js';

const CONFIG = `# a comment
[default]
use_fips_endpoint = true
s3 =
  use_dualstack_endpoint = true

[profile ci]
use_dualstack_endpoint=true
; use_fips_endpoint = true

[other]
use_fips_endpoint = true

[services local]
sts =
  use_fips_endpoint = true
`;

test('the active profile only, as the SDK reads it: [default] or [profile NAME], top-level keys only', () => {
  expect(configFileVariant(CONFIG, 'default')).toEqual({ fips: 'true', dualStack: undefined });
  expect(configFileVariant(CONFIG, 'ci')).toEqual({ fips: undefined, dualStack: 'true' });
  expect(configFileVariant(CONFIG, 'local')).toEqual({ fips: undefined, dualStack: undefined });
  // [other] is a credentials-file section name; the config file needs [profile other].
  expect(configFileVariant(CONFIG, 'other')).toEqual({ fips: undefined, dualStack: undefined });
  expect(configFileVariant(undefined, 'default')).toEqual({});
});

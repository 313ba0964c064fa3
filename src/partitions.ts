// The AWS partitions as the SDK's endpoint rules know them (@aws-sdk/core util-endpoints partitions
// data, SDK 3.1169), reduced to what the STS endpoint needs. Pure data, kept small so the main bundle
// need not load the SDK's ruleset; __tests__/unit/endpoints.test.ts checks it against the SDK's own
// resolver for every region, so an SDK upgrade that changes the data fails there.

export interface Partition {
  id: string;
  dnsSuffix: string;
  dualStackDnsSuffix: string;
  supportsFips: boolean;
  supportsDualStack: boolean;
  regionRegex: RegExp;
  /** The regions the SDK lists by name (its `*-global` pseudo-regions left out: they are not regions). */
  regions: readonly string[];
}

export const PARTITIONS: readonly Partition[] = [
  {
    id: 'aws',
    dnsSuffix: 'amazonaws.com',
    dualStackDnsSuffix: 'api.aws',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    regions: [
      'af-south-1',
      'ap-east-1',
      'ap-east-2',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-south-1',
      'ap-south-2',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-southeast-3',
      'ap-southeast-4',
      'ap-southeast-5',
      'ap-southeast-6',
      'ap-southeast-7',
      'ca-central-1',
      'ca-west-1',
      'eu-central-1',
      'eu-central-2',
      'eu-north-1',
      'eu-south-1',
      'eu-south-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'il-central-1',
      'me-central-1',
      'me-south-1',
      'me-west-1',
      'mx-central-1',
      'sa-east-1',
      'sa-west-1',
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2'
    ]
  },
  {
    id: 'aws-cn',
    dnsSuffix: 'amazonaws.com.cn',
    dualStackDnsSuffix: 'api.amazonwebservices.com.cn',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^cn-\w+-\d+$/,
    regions: ['cn-north-1', 'cn-northwest-1']
  },
  {
    id: 'aws-eusc',
    dnsSuffix: 'amazonaws.eu',
    dualStackDnsSuffix: 'api.amazonwebservices.eu',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^eusc-(de)-\w+-\d+$/,
    regions: ['eusc-de-east-1']
  },
  {
    id: 'aws-iso',
    dnsSuffix: 'c2s.ic.gov',
    dualStackDnsSuffix: 'api.aws.ic.gov',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^us-iso-\w+-\d+$/,
    regions: ['us-iso-east-1', 'us-iso-west-1']
  },
  {
    id: 'aws-iso-b',
    dnsSuffix: 'sc2s.sgov.gov',
    dualStackDnsSuffix: 'api.aws.scloud',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^us-isob-\w+-\d+$/,
    regions: ['us-isob-east-1', 'us-isob-west-1']
  },
  {
    id: 'aws-iso-e',
    dnsSuffix: 'cloud.adc-e.uk',
    dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^eu-isoe-\w+-\d+$/,
    regions: ['eu-isoe-west-1']
  },
  {
    id: 'aws-iso-f',
    dnsSuffix: 'csp.hci.ic.gov',
    dualStackDnsSuffix: 'api.aws.hci.ic.gov',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^us-isof-\w+-\d+$/,
    regions: ['us-isof-east-1', 'us-isof-south-1']
  },
  {
    id: 'aws-us-gov',
    dnsSuffix: 'amazonaws.com',
    dualStackDnsSuffix: 'api.aws',
    supportsFips: true,
    supportsDualStack: true,
    regionRegex: /^us-gov-\w+-\d+$/,
    regions: ['us-gov-east-1', 'us-gov-west-1']
  }
];

/**
 * The regions with a FIPS STS endpoint: the `fips` variants of STS in botocore's endpoints.json
 * (the AWS CLI's data). The SDK's rules would build `sts-fips.<region>.<suffix>` for any region, a
 * host that does not exist outside these.
 */
export const STS_FIPS_REGIONS: readonly string[] = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'us-gov-east-1', 'us-gov-west-1'];

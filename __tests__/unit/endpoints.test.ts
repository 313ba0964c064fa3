// The partition table and endpoint rules against the SDK's own resolver, for every region it knows.
import { STSClient } from '@aws-sdk/client-sts';
import { partitionEndpoint, partitionOf } from '../../src/endpoints.js';
import { PARTITIONS } from '../../src/partitions.js';

const sdk = new STSClient({ region: 'us-east-1' });
const sdkEndpoint = (region: string, fips: boolean, dualStack: boolean): string => {
  try {
    return sdk.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: dualStack, UseGlobalEndpoint: false }).url.href.replace(/\/$/, '');
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
};
const ours = (region: string, fips: boolean, dualStack: boolean): string => {
  const resolved = partitionEndpoint(region, { fips, dualStack });
  return 'url' in resolved ? resolved.url : 'error';
};

// Named regions, and some only a partition pattern (or the aws fallback) covers.
const REGIONS = [...PARTITIONS.flatMap(p => p.regions), 'eu-west-9', 'cn-south-7', 'us-gov-north-1', 'us-isob-south-1', 'eusc-de-west-1', 'zz-east-1'];

test.each([
  [false, false],
  [true, false],
  [false, true],
  [true, true]
])('for every region (fips %s, dual-stack %s) the URL is the one the SDK resolves', (fips, dualStack) => {
  const differing = REGIONS.filter(region => ours(region, fips, dualStack) !== sdkEndpoint(region, fips, dualStack));
  expect(differing.map(region => `${region}: ${ours(region, fips, dualStack)} vs ${sdkEndpoint(region, fips, dualStack)}`)).toEqual([]);
});

test.each([
  ['us-east-1', 'https://sts.us-east-1.amazonaws.com'],
  ['cn-north-1', 'https://sts.cn-north-1.amazonaws.com.cn'],
  ['us-iso-east-1', 'https://sts.us-iso-east-1.c2s.ic.gov'],
  ['us-isob-east-1', 'https://sts.us-isob-east-1.sc2s.sgov.gov'],
  ['eu-isoe-west-1', 'https://sts.eu-isoe-west-1.cloud.adc-e.uk'],
  ['us-isof-south-1', 'https://sts.us-isof-south-1.csp.hci.ic.gov'],
  ['eusc-de-east-1', 'https://sts.eusc-de-east-1.amazonaws.eu']
])('%s: STS is at %s', (region, url) => {
  expect(ours(region, false, false)).toBe(url);
});

test('GovCloud FIPS is its regular host; unknown shapes fall back to the aws partition like the SDK', () => {
  expect(ours('us-gov-west-1', true, false)).toBe('https://sts.us-gov-west-1.amazonaws.com');
  expect(partitionOf('zz-east-1').id).toBe('aws');
});

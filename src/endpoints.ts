// Where STS is, decided once from the inputs: the endpoint the workflow or the runner named, else the
// one the SDK's rules give for the region's partition with FIPS and dual-stack as configured. Pure, so
// the plan can name it, the proxy decision can be made on it, and the SDK is told it explicitly (an
// explicit endpoint also stops the SDK from taking one from ~/.aws/config).
import { PARTITIONS, STS_FIPS_REGIONS, type Partition } from './partitions.js';

/** Who named the endpoint, in the order they win. `partition` is the SDK's rule for the region. */
export type EndpointOrigin = 'sts-endpoint' | 'AWS_ENDPOINT_URL_STS' | 'AWS_ENDPOINT_URL' | 'partition';

export interface EndpointVariant {
  fips: boolean;
  dualStack: boolean;
}

export interface StsEndpoint extends EndpointVariant {
  url: string;
  origin: EndpointOrigin;
}

/** Like the SDK: a region it lists by name, else the first partition whose pattern matches, else `aws`. */
export function partitionOf(region: string): Partition {
  return PARTITIONS.find(p => p.regions.includes(region)) ?? PARTITIONS.find(p => p.regionRegex.test(region)) ?? PARTITIONS.find(p => p.id === 'aws') ?? (PARTITIONS[0] as Partition);
}

/** The SDK's STS endpoint rules (client-sts endpoint/bdd.js) for a region, without a custom endpoint. */
export function partitionEndpoint(region: string, variant: EndpointVariant): { url: string } | { problem: string } {
  const p = partitionOf(region);
  if (variant.fips && variant.dualStack) {
    return p.supportsFips && p.supportsDualStack ? { url: `https://sts-fips.${region}.${p.dualStackDnsSuffix}` } : { problem: `the ${p.id} partition has no FIPS dual-stack endpoints` };
  }
  if (variant.fips) {
    if (!p.supportsFips) return { problem: `the ${p.id} partition has no FIPS endpoints` };
    // GovCloud's regular STS hosts are its FIPS hosts.
    return { url: p.id === 'aws-us-gov' ? `https://sts.${region}.amazonaws.com` : `https://sts-fips.${region}.${p.dnsSuffix}` };
  }
  if (variant.dualStack) {
    return p.supportsDualStack ? { url: `https://sts.${region}.${p.dualStackDnsSuffix}` } : { problem: `the ${p.id} partition has no dual-stack endpoints` };
  }
  return { url: `https://sts.${region}.${p.dnsSuffix}` };
}

/** The SDK's rules build a FIPS host for any region; STS has one only in these. */
export function hasFipsSts(region: string): boolean {
  return STS_FIPS_REGIONS.includes(region);
}

/** For the plan line: the URL and who named it, in words a person can act on. */
export function describeEndpoint(endpoint: StsEndpoint, region: string): string {
  if (endpoint.origin !== 'partition') return `STS at ${endpoint.url} from ${endpoint.origin}`;
  const variant = [endpoint.fips ? ' FIPS' : '', endpoint.dualStack ? ' dual-stack' : ''].join('');
  return `STS at ${endpoint.url}, the ${partitionOf(region).id} partition's${variant} endpoint`;
}

// `profiles`: one NAME=ROLE_ARN[,region=REGION] per line.
import { REGION_PATTERN, ROLE_ARN_PATTERN } from '../aws-names.js';

export const PROFILE_NAME_PATTERN = /^[\w.+@-]{1,64}$/;

/** One line of `profiles`: NAME=ROLE_ARN, optionally `,region=REGION`. */
export interface ProfileSpec {
  name: string;
  roleArn: string;
  region?: string;
}

export function parseProfileSpecs(lines: string[], problem: (rule: string) => void): ProfileSpec[] {
  return lines.flatMap(line => {
    const match = /^([^=\s]+)\s*=\s*([^,\s]+)\s*(?:,\s*region\s*=\s*(\S+))?$/.exec(line);
    const [, name = '', roleArn = '', region] = match ?? [];
    const errors = [
      // Quoted on one line: a lone \r inside a line must not start a new log line.
      match ? '' : `'${line.replace(/[\r\n]/g, ' ').slice(0, 80)}' is not NAME=ROLE_ARN or NAME=ROLE_ARN,region=REGION`,
      match && !PROFILE_NAME_PATTERN.test(name) ? `profile name '${name}' must be 1-64 letters, digits or _.+@-` : '',
      match && !ROLE_ARN_PATTERN.test(roleArn) ? `'${roleArn}' (profile ${name}) is not a role ARN` : '',
      region !== undefined && !REGION_PATTERN.test(region) ? `'${region}' (profile ${name}) is not an AWS region name` : ''
    ].filter(error => error !== '');
    errors.forEach(problem);
    if (errors.length > 0) return [];
    return [region === undefined ? { name, roleArn } : { name, roleArn, region }];
  });
}

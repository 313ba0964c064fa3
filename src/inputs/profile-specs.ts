// `profiles`: one NAME=ROLE_ARN[,region=REGION] per line.
import { REGION_PATTERN, ROLE_ARN_PATTERN } from '../aws-names.js';
import { preview } from '../log-text.js';

export const PROFILE_NAME_PATTERN = /^[\w.+@-]{1,64}$/;

/** One line of `profiles`: NAME=ROLE_ARN, optionally `,region=REGION`. */
export interface ProfileSpec {
  name: string;
  roleArn: string;
  region?: string;
}

/** The problems of at most this many lines are quoted, then counted: a huge input makes a short message. */
const SHOWN_LINES = 5;

export function parseProfileSpecs(lines: string[], problem: (rule: string) => void): ProfileSpec[] {
  let badLines = 0;
  const specs = lines.flatMap(line => {
    const match = /^([^=\s]+)\s*=\s*([^,\s]+)\s*(?:,\s*region\s*=\s*(\S+))?$/.exec(line);
    const [, name = '', roleArn = '', region] = match ?? [];
    const errors = [
      // Quoted on one line and bounded: a lone \r inside a line must not start a new log line.
      match ? '' : `'${preview(line)}' is not NAME=ROLE_ARN or NAME=ROLE_ARN,region=REGION`,
      match && !PROFILE_NAME_PATTERN.test(name) ? `profile name '${preview(name)}' must be 1-64 letters, digits or _.+@-` : '',
      match && !ROLE_ARN_PATTERN.test(roleArn) ? `'${preview(roleArn)}' (profile ${preview(name)}) is not a role ARN` : '',
      region !== undefined && !REGION_PATTERN.test(region) ? `'${preview(region)}' (profile ${preview(name)}) is not an AWS region name` : ''
    ].filter(error => error !== '');
    if (errors.length > 0) {
      badLines += 1;
      if (badLines <= SHOWN_LINES) errors.forEach(problem);
      return [];
    }
    return [region === undefined ? { name, roleArn } : { name, roleArn, region }];
  });
  if (badLines > SHOWN_LINES) problem(`${badLines - SHOWN_LINES} more lines like these`);
  return specs;
}

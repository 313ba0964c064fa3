// IAM policy evaluation for the local STS stand-in (sts.md §6): principal matching for trust
// policies, action/resource wildcards, and the condition operators trust policies actually use.
// Pure functions; the server decides how trust and identity results combine.

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { AWS?: string | string[]; Federated?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/** Condition context: key → value(s). Keys are matched case-insensitively, like IAM does. */
export type ConditionContext = Record<string, string | string[] | undefined>;

/** Who is asking, for resource (trust) policies. */
export interface PrincipalRef {
  type: 'AWS' | 'Federated' | 'Service';
  /** Identifiers that name this principal exactly: user ARN; role ARN and assumed-role session ARN; provider ARN. */
  ids: string[];
  /** 12-digit account of an AWS principal (matches `"123456789012"` and `arn:…:iam::123456789012:root`). */
  account?: string;
}

/** How a statement named the principal; the caller's account needs an identity-policy allow unless `exact`. */
export type PrincipalMatch = 'exact' | 'account' | 'wildcard' | 'none';

export interface EvalRequest {
  action: string;
  /** Checked against `Resource` when both are present (identity policies). */
  resource?: string;
  /** Present for resource policies (trust policies); statements must then name it in `Principal`. */
  principal?: PrincipalRef;
  context: ConditionContext;
}

export interface EvalResult {
  decision: 'Allow' | 'Deny' | 'ImplicitDeny';
  /** Strongest principal match among the allowing statements (`none` for identity policies). */
  principalMatch: PrincipalMatch;
}

const RANK: Record<PrincipalMatch, number> = { none: 0, wildcard: 1, account: 2, exact: 3 };

/** Evaluates one policy: an applicable Deny wins, else any applicable Allow, else implicit deny. */
export function evaluatePolicy(doc: PolicyDocument, req: EvalRequest): EvalResult {
  const ctx = lowerKeys(req.context);
  let allowed = false;
  let best: PrincipalMatch = 'none';
  for (const st of doc.Statement) {
    const match = req.principal ? matchPrincipal(st.Principal, req.principal) : 'none';
    if (req.principal && match === 'none') continue;
    if (!statementApplies(st, req, ctx)) continue;
    if (st.Effect === 'Deny') return { decision: 'Deny', principalMatch: match };
    allowed = true;
    if (RANK[match] > RANK[best]) best = match;
  }
  return { decision: allowed ? 'Allow' : 'ImplicitDeny', principalMatch: best };
}

function statementApplies(st: PolicyStatement, req: EvalRequest, ctx: Map<string, string[]>): boolean {
  if (!toArray(st.Action).some(a => wildcardMatch(a, req.action, true))) return false;
  if (req.resource !== undefined && st.Resource !== undefined) {
    if (!toArray(st.Resource).some(r => wildcardMatch(r, req.resource ?? '', false))) return false;
  }
  return evaluateConditions(st.Condition, ctx);
}

/** How `Principal` names `p`. IAM allows no wildcards inside principal ARNs, only a bare `*`. */
export function matchPrincipal(principal: PolicyStatement['Principal'], p: PrincipalRef): PrincipalMatch {
  if (principal === undefined) return 'none';
  if (principal === '*') return 'wildcard';
  let best: PrincipalMatch = 'none';
  for (const v of toArray(principal[p.type])) {
    const m = matchOne(v, p);
    if (RANK[m] > RANK[best]) best = m;
  }
  return best;
}

function matchOne(value: string, p: PrincipalRef): PrincipalMatch {
  if (value === '*') return 'wildcard';
  if (p.ids.includes(value)) return 'exact';
  if (p.type !== 'AWS' || p.account === undefined) return 'none';
  const root = /^arn:[a-z-]+:iam::(\d{12}):root$/.exec(value);
  return value === p.account || root?.[1] === p.account ? 'account' : 'none';
}

/** `*` = any run, `?` = one char; IAM actions compare case-insensitively, resources and strings do not. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

// ---------------------------------------------------------------------------------------------
// Conditions

type BaseOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'NumericEquals'
  | 'NumericNotEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals'
  | 'Bool'
  | 'Null';

const BASE_OPERATORS: ReadonlySet<string> = new Set<BaseOperator>([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'Bool',
  'Null'
]);

interface ParsedOperator {
  set: 'ForAnyValue' | 'ForAllValues' | undefined;
  base: BaseOperator;
  ifExists: boolean;
}

/** Parses `ForAllValues:StringLikeIfExists` etc.; undefined for operators this evaluator lacks. */
export function parseOperator(op: string): ParsedOperator | undefined {
  const setMatch = /^(ForAnyValue|ForAllValues):(.*)$/.exec(op);
  const set = setMatch ? (setMatch[1] as 'ForAnyValue' | 'ForAllValues') : undefined;
  let rest = setMatch?.[2] ?? op;
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (!BASE_OPERATORS.has(rest) || (ifExists && rest === 'Null')) return undefined;
  return { set, base: rest as BaseOperator, ifExists };
}

/** All operators AND, all keys within an operator AND, values within a key OR. */
export function evaluateConditions(condition: PolicyStatement['Condition'], context: ConditionContext | Map<string, string[]>): boolean {
  if (condition === undefined) return true;
  const ctx = context instanceof Map ? context : lowerKeys(context);
  return Object.entries(condition).every(([op, block]) => {
    const parsed = parseOperator(op);
    // Validation at startup rejects unknown operators; failing loudly here beats a silent allow/deny.
    if (parsed === undefined) throw new Error(`Unsupported condition operator ${op}`);
    return Object.entries(block).every(([key, values]) => evaluateOperator(parsed, ctx.get(key.toLowerCase()), toArray(values).map(String)));
  });
}

function evaluateOperator(op: ParsedOperator, present: string[] | undefined, policyValues: string[]): boolean {
  if (op.base === 'Null') {
    const isNull = present === undefined || present.length === 0;
    return policyValues.some(v => (v.toLowerCase() === 'true') === isNull);
  }
  if (present === undefined || present.length === 0) {
    if (op.set === 'ForAllValues') return true; // vacuous truth, the documented ForAllValues trap
    if (op.set === 'ForAnyValue') return false;
    return op.ifExists || isNegated(op.base);
  }
  const test = (v: string): boolean => compareOne(op.base, v, policyValues);
  if (op.set === 'ForAllValues') return present.every(test);
  if (op.set === 'ForAnyValue') return present.some(test);
  // A plain negated operator on a multi-valued key means "none of them matches".
  return isNegated(op.base) ? present.every(test) : present.some(test);
}

function isNegated(base: BaseOperator): boolean {
  return base.includes('Not');
}

function compareOne(base: BaseOperator, requestValue: string, policyValues: string[]): boolean {
  const positive = policyValues.some(pv => comparePositive(base, requestValue, pv));
  return isNegated(base) ? !positive : positive;
}

function comparePositive(base: BaseOperator, rv: string, pv: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'ArnEquals':
    case 'ArnNotEquals':
      return rv === pv;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return rv.toLowerCase() === pv.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
    case 'ArnLike':
    case 'ArnNotLike':
      return wildcardMatch(pv, rv, false);
    case 'Bool':
      return rv.toLowerCase() === pv.toLowerCase();
    default:
      return compareNumeric(base, Number(rv), Number(pv));
  }
}

function compareNumeric(base: BaseOperator, a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (base) {
    case 'NumericEquals':
    case 'NumericNotEquals':
      return a === b;
    case 'NumericLessThan':
      return a < b;
    case 'NumericLessThanEquals':
      return a <= b;
    case 'NumericGreaterThan':
      return a > b;
    default:
      return a >= b;
  }
}

// ---------------------------------------------------------------------------------------------
// Grammar checks

/**
 * Grammar problems of a policy document, as MalformedPolicyDocument-style messages ([] = valid).
 * `kind` 'session' forbids Principal (STS: "Policy document should not specify a principal.").
 */
export function policyProblems(doc: unknown, kind: 'trust' | 'identity' | 'session'): string[] {
  if (!isRecord(doc)) return ['Syntax errors in policy.'];
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    return [`The policy must contain a valid version string`];
  }
  const statements = doc.Statement;
  if (statements === undefined) return ['Missing required field Statement'];
  const list: unknown[] = Array.isArray(statements) ? statements : [statements];
  return list.flatMap(st => statementProblems(st, kind));
}

function statementProblems(st: unknown, kind: 'trust' | 'identity' | 'session'): string[] {
  if (!isRecord(st)) return ['Syntax errors in policy.'];
  const out: string[] = [];
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') out.push(`Invalid effect: ${String(st.Effect)}`);
  if (st.Action === undefined) out.push('Missing required field Action');
  if (kind === 'trust' && st.Principal === undefined) out.push('Missing required field Principal');
  if (kind !== 'trust' && st.Principal !== undefined) out.push('Policy document should not specify a principal.');
  for (const unsupported of ['NotPrincipal', 'NotAction', 'NotResource']) {
    if (st[unsupported] !== undefined) out.push(`${unsupported} is not supported by the local STS stand-in`);
  }
  if (st.Condition !== undefined) out.push(...conditionProblems(st.Condition));
  return out;
}

function conditionProblems(condition: unknown): string[] {
  if (!isRecord(condition)) return ['Syntax errors in policy.'];
  return Object.keys(condition)
    .filter(op => parseOperator(op) === undefined)
    .map(op => `Invalid Condition type : ${op}`);
}

/** Normalises a parsed JSON policy (single Statement object → array) once it passed policyProblems. */
export function normalisePolicy(doc: Record<string, unknown>): PolicyDocument {
  const st = doc.Statement;
  const out: PolicyDocument = { Statement: (Array.isArray(st) ? st : [st]) as PolicyStatement[] };
  if (typeof doc.Version === 'string') out.Version = doc.Version;
  return out;
}

// ---------------------------------------------------------------------------------------------
// helpers

export function toArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function lowerKeys(ctx: ConditionContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(ctx)) {
    if (v !== undefined) out.set(k.toLowerCase(), toArray(v));
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

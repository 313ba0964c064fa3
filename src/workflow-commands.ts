import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

// The @actions/core 3 functions the main step uses, with the same output byte for byte. Importing
// @actions/core itself also loads its OIDC HTTP client (@actions/http-client and undici, ~1 MB of
// source) at startup, which this action never uses: it fetches its token in oidc.ts.

/** Registers a secret the runner masks in every later log line. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  if (process.env['GITHUB_ENV']) return issueFileCommand('ENV', keyValueMessage(name, value));
  issueCommand('set-env', { name }, value);
}

export function setOutput(name: string, value: string): void {
  if (process.env['GITHUB_OUTPUT']) return issueFileCommand('OUTPUT', keyValueMessage(name, value));
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, value);
}

export function saveState(name: string, value: string): void {
  if (process.env['GITHUB_STATE']) return issueFileCommand('STATE', keyValueMessage(name, value));
  issueCommand('save-state', { name }, value);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function warning(message: string): void {
  issueCommand('warning', {}, message);
}

export function notice(message: string): void {
  issueCommand('notice', {}, message);
}

/** Fails the step (exit code 1 when the process ends) with an error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', {}, message);
}

function issueCommand(command: string, properties: Record<string, string>, message: string): void {
  const props = Object.entries(properties)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `name<<delimiter` heredoc with a random delimiter that neither name nor value may contain. */
function keyValueMessage(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter)) throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (value.includes(delimiter)) throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
}

function issueFileCommand(command: 'ENV' | 'OUTPUT' | 'STATE', message: string): void {
  const filePath = process.env[`GITHUB_${command}`];
  if (!filePath) throw new Error(`Unable to find environment variable for file command ${command}`);
  if (!existsSync(filePath)) throw new Error(`Missing file at path: ${filePath}`);
  appendFileSync(filePath, `${message}${EOL}`, { encoding: 'utf8' });
}

// Parsers for what the GitHub Actions runner reads back from a step: the key/value file commands
// (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE) and the `::name k=v::data` workflow commands.
// Both mirror actions/runner (FileCommandManager.cs, ActionCommand.cs) rule for rule, including its
// quirks, because the point is to see a step's output exactly as the runner would.

export interface KeyValue {
  name: string;
  value: string;
}

interface Line {
  text: string;
  /** '' when the line ended at end of file without a newline. */
  newline: string;
}

// The runner reads the file with its own ReadLine: only '\n' ends a line on Linux runners
// ('\r\n' is honoured only on Windows), so a '\r' stays part of the line.
function readLine(text: string, at: { index: number }): Line | undefined {
  if (at.index >= text.length) return undefined;
  const start = at.index;
  const lf = text.indexOf('\n', start);
  if (lf < 0) {
    at.index = text.length;
    return { text: text.slice(start), newline: '' };
  }
  at.index = lf + 1;
  return { text: text.slice(start, lf), newline: '\n' };
}

// Reads value lines up to a line exactly equal to the delimiter. The newline before the
// delimiter line is not part of the value; user text equal to the delimiter ends the value early.
function readHeredoc(text: string, at: { index: number }, delimiter: string): string {
  const start = at.index;
  let end = at.index;
  for (;;) {
    const line = readLine(text, at);
    if (line === undefined) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
    if (line.text === delimiter) break;
    if (line.newline === '') throw new Error('Invalid value. EOF marker missing new line.');
    end = at.index - line.newline.length;
  }
  return end > start ? text.slice(start, end) : '';
}

function parseLine(line: string, text: string, at: { index: number }): KeyValue {
  const equals = line.indexOf('=');
  const heredoc = line.indexOf('<<');
  if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
    // The runner's empty-name check here tests the whole line, not the name, so `=value`
    // is accepted with an empty name. Reproduced on purpose.
    return { name: line.slice(0, equals), value: line.slice(equals + 1) };
  }
  if (heredoc >= 0) {
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (name === '' || delimiter === '') {
      throw new Error(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
    }
    return { name, value: readHeredoc(text, at, delimiter) };
  }
  throw new Error(`Invalid format '${line}'`);
}

/** All pairs in file order, exactly as the runner (Linux) parses them. Throws the runner's error texts. */
export function parseFileCommands(text: string): KeyValue[] {
  const pairs: KeyValue[] = [];
  const at = { index: 0 };
  for (let line = readLine(text, at); line !== undefined; line = readLine(text, at)) {
    if (line.text === '') continue;
    pairs.push(parseLine(line.text, text, at));
  }
  return pairs;
}

/** The pairs as a map; a later pair with the same name wins, as when the runner applies them in order. */
export function fileCommandMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { name, value } of parseFileCommands(text)) map[name] = value;
  return map;
}

export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  /** 0-based index among all lines of the stream. */
  line: number;
  stream: 'stdout' | 'stderr';
}

// Replacement order matters and follows the runner: '%25' last, so '%250A' becomes '%0A', not '\n'.
const DATA_ESCAPES: ReadonlyArray<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%']
];
const PROPERTY_ESCAPES: ReadonlyArray<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%']
];

function unescape(value: string, table: ReadonlyArray<[string, string]>): string {
  let out = value;
  for (const [escaped, plain] of table) out = out.split(escaped).join(plain);
  return out;
}

export function unescapeData(value: string): string {
  return unescape(value, DATA_ESCAPES);
}

export function unescapeProperty(value: string): string {
  return unescape(value, PROPERTY_ESCAPES);
}

/**
 * Splits process output into lines the way the runner's reader does (.NET ReadLine: '\n', '\r\n'
 * and a lone '\r' all end a line; no empty last line after a final newline).
 */
export function outputLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// Properties: `k=v` pairs split on ',' (empty entries dropped); an entry without '=' or with an
// empty side is ignored, as in the runner.
function parseProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const entry of text.trim().split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1) continue;
    properties[entry.slice(0, eq)] = unescapeProperty(entry.slice(eq + 1));
  }
  return properties;
}

/** One line as the runner's TryParseV2 sees it, or undefined when it is not a command. */
export function parseCommandLine(raw: string): Omit<WorkflowCommand, 'line' | 'stream'> | undefined {
  const message = raw.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (name === '') return undefined;
  const properties = space > 0 ? parseProperties(info.slice(space + 1)) : {};
  return { name, properties, data: unescapeData(message.slice(end + 2)) };
}

/**
 * Every workflow command in one stream, in order. Honours `::stop-commands::TOKEN` … `::TOKEN::`:
 * while stopped, lines are plain text (so a printed `::add-mask::` there registers nothing).
 */
export function parseWorkflowCommands(text: string, stream: 'stdout' | 'stderr'): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  outputLines(text).forEach((raw, line) => {
    const parsed = parseCommandLine(raw);
    if (parsed === undefined) return;
    if (stopToken !== undefined) {
      // The runner compares the resume token case-insensitively.
      if (parsed.name.toLowerCase() === stopToken.toLowerCase()) stopToken = undefined;
      return;
    }
    if (parsed.name === 'stop-commands' && parsed.data !== '') stopToken = parsed.data;
    commands.push({ ...parsed, line, stream });
  });
  return commands;
}

/** The commands the action issues itself; any other command in its output was forged by outside text. */
const OWN_COMMANDS: ReadonlySet<string> = new Set(['add-mask', 'debug', 'notice', 'warning', 'error']);

/**
 * Lines of a step's output the runner would take as a command the action never meant to issue: another
 * command, a legacy `##[` anywhere in the line, or `stop-commands` at all (the action never needs it).
 */
export function forgedCommands(output: string): string[] {
  return outputLines(output).filter(line => {
    const command = parseCommandLine(line);
    return (command !== undefined && !OWN_COMMANDS.has(command.name)) || line.includes('##[') || /stop-commands/i.test(line);
  });
}

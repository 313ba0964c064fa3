// How text that did not come from this action's code is quoted in a message, and how every log line
// is made safe for the runner's command parser. A leaf module.
//
// The runner reads a step's output line by line and treats as a command:
//   - a line that, after leading white space, starts with `::` (`::add-mask::`, `::stop-commands::`…);
//   - a line holding the legacy `##[name …]` form ANYWHERE in it.
// Server messages, ARNs and accounts from answers, inputs and paths from the environment reach our
// log lines, so any of them could start a command: `…\n::stop-commands::T` would turn every later
// `::add-mask::` into plain text and print the credentials in clear. The rule (applied by
// safe-output.ts to every line, whole, since our own wording never holds a line break, a leading
// `::`, `##[` or `stop-commands`):
//   - a plain line (info) has every line break (CR, LF, CRLF, and U+0085/U+2028/U+2029, which some
//     viewers break on) turned into a visible ` ⏎ `, so it stays one line;
//   - a command's data (debug, notice, warning, error) keeps its line breaks: @actions/core escapes
//     CR and LF to %0D/%0A, so the data cannot start a line; the runner shows them as new lines
//     inside the annotation, which keeps multi-line messages (input problems, refusal diagnoses)
//     readable. The three Unicode separators become LF there too;
//   - in both, `##[` loses its meaning (`## [`), a leading `::` is broken (`: :`), and the word
//     `stop-commands` is altered: the action never needs it, so nothing it prints contains it.

/** Shortens and flattens text quoted back in a message (no line breaks, bounded length). */
export function preview(value: string, max = 80): string {
  const flat = value.replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${value.length} characters)` : flat;
}

const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;
const UNICODE_SEPARATORS = /[\u0085\u2028\u2029]/g;
// White space the runner's TrimStart (.NET char.IsWhiteSpace) skips, plus the zero-width characters.
const LEADING_COMMAND = /^([\s\u0085\u180e\u200b-\u200d\u2060\ufeff]*):(?=:)/;
const LEGACY_OPENER = /##\[/g;
const STOP_COMMANDS = /stop-commands/gi;

function withoutOpeners(text: string): string {
  return text
    .replace(LEGACY_OPENER, '## [')
    .replace(STOP_COMMANDS, word => `${word.slice(0, 4)}_${word.slice(5)}`)
    .replace(LEADING_COMMAND, '$1: ');
}

/** One plain log line (core.info): no line break, no command opener, whatever the text holds. */
export function plainLine(text: string): string {
  return withoutOpeners(text.replace(LINE_BREAKS, ' ⏎ '));
}

/**
 * The data of a workflow command (debug, notice, warning, error): line breaks stay (the toolkit
 * escapes them, and the runner shows them inside the annotation); openers are neutralised the same way.
 */
export function commandData(text: string): string {
  return withoutOpeners(text.replace(UNICODE_SEPARATORS, '\n'))
    .split('\n')
    .map(line => line.replace(LEADING_COMMAND, '$1: '))
    .join('\n');
}

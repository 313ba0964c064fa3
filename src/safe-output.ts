// The one place every log line of the step passes: text from outside (server messages, ARNs, inputs,
// paths) can never become a workflow command, whichever call site printed it. See log-text.ts for the rule.
import { commandData, plainLine } from './log-text.js';
import type { ActionOutput } from './ports.js';

/** `out`, with every message neutralised before it reaches the runner's log. */
export function safeOutput(out: ActionOutput): ActionOutput {
  return {
    setSecret: value => out.setSecret(value),
    exportAll: batch => out.exportAll(batch),
    summary: markdown => out.summary(markdown),
    info: message => out.info(plainLine(message)),
    debug: message => out.debug(commandData(message)),
    notice: message => out.notice(commandData(message)),
    warning: message => out.warning(commandData(message)),
    setFailed: message => out.setFailed(commandData(message)),
    flush: () => out.flush()
  };
}

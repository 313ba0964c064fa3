// The main step's output while @actions/core is still loading. Loading it costs 40-100 ms of CPU
// (most of it undici, which this action never calls); at start-up that delayed the first network
// call by as much, while STS answers the first call (main.ts: `onWaiting`) it costs the step next to
// nothing on a real network.
// Every call is kept, in order, and replayed once the writer is there: a mask is never overtaken by
// a line, and nothing is exported while a mask is still waiting.
import type { ActionOutput } from './ports.js';

type Call = (out: ActionOutput) => void;

/** `load`'s output, with every call made before it loaded replayed in order once `flush` has loaded it. */
export function deferredOutput(load: () => Promise<ActionOutput>): ActionOutput {
  const pending: Call[] = [];
  let writer: ActionOutput | undefined;
  let loaded: Promise<ActionOutput> | undefined;
  const call = (line: Call): void => {
    if (writer !== undefined && pending.length === 0) line(writer);
    else pending.push(line);
  };
  const flush = async (): Promise<void> => {
    const out = await (loaded ??= load());
    writer = out;
    for (const line of pending.splice(0)) line(out);
  };
  return {
    setSecret: value => call(out => out.setSecret(value)),
    info: message => call(out => out.info(message)),
    debug: message => call(out => out.debug(message)),
    notice: message => call(out => out.notice(message)),
    warning: message => call(out => out.warning(message)),
    setFailed: message => call(out => out.setFailed(message)),
    summary: markdown => call(out => out.summary(markdown)),
    exportAll(batch) {
      // The batch holds the credentials: the masks queued for them must be out first.
      if (writer === undefined || pending.length > 0) throw new Error('exportAll before flush: the masks queued for this export have not reached the runner');
      writer.exportAll(batch);
    },
    flush
  };
}

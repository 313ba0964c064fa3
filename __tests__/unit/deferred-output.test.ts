// The main step's log while @actions/core loads (src/deferred-output.ts): nothing is lost, nothing is
// reordered, and the export cannot run while a mask is still waiting for the writer.
import { deferredOutput } from '../../src/deferred-output.js';
import type { ActionOutput, ExportBatch } from '../../src/ports.js';

/** A writer that records every call, in order, as one list of events. */
function recorder(events: string[]): ActionOutput {
  return {
    setSecret: value => events.push(`mask ${value}`),
    info: message => events.push(`info ${message}`),
    debug: message => events.push(`debug ${message}`),
    notice: message => events.push(`notice ${message}`),
    warning: message => events.push(`warning ${message}`),
    setFailed: message => events.push(`failed ${message}`),
    summary: markdown => events.push(`summary ${markdown}`),
    exportAll: batch => events.push(`export ${Object.keys(batch.env).join(',')}`),
    flush: () => Promise.resolve()
  };
}

const BATCH: ExportBatch = { state: {}, env: { AWS_ACCESS_KEY_ID: 'ASIA' }, outputs: {} };

describe('the log while the toolkit loads', () => {
  it('writes nothing until flushed, then every call in the order it was made', async () => {
    const events: string[] = [];
    let loads = 0;
    const out = deferredOutput(async () => {
      loads++;
      return recorder(events);
    });
    out.info('Assuming role');
    out.setSecret('secret-1');
    out.debug('Plan source=keys');
    out.warning('careful');
    out.notice('note');
    out.summary('| table |');
    expect(events).toEqual([]);
    expect(loads).toBe(0);
    await out.flush();
    expect(events).toEqual(['info Assuming role', 'mask secret-1', 'debug Plan source=keys', 'warning careful', 'notice note', 'summary | table |']);
    // Once loaded, calls go straight through, and the writer is loaded once however often it is flushed.
    out.setFailed('boom');
    await Promise.all([out.flush(), out.flush()]);
    expect(events.at(-1)).toBe('failed boom');
    expect(loads).toBe(1);
  });

  it('keeps the order of calls made while the writer is loading', async () => {
    const events: string[] = [];
    let release: (out: ActionOutput) => void = () => undefined;
    const out = deferredOutput(() => new Promise(resolve => (release = resolve)));
    out.info('first');
    const flushed = out.flush();
    out.setSecret('made while loading');
    release(recorder(events));
    await flushed;
    expect(events).toEqual(['info first', 'mask made while loading']);
  });

  it('refuses to export before the queued masks have reached the runner', async () => {
    const events: string[] = [];
    const out = deferredOutput(async () => recorder(events));
    out.setSecret('session-token');
    expect(() => out.exportAll(BATCH)).toThrow(/before flush/);
    await out.flush();
    // Once the writer is there, a mask is written at once: nothing waits, so the export may go.
    out.setSecret('server-token');
    out.exportAll(BATCH);
    expect(events).toEqual(['mask session-token', 'mask server-token', 'export AWS_ACCESS_KEY_ID']);
  });

  it('fails the flush, writing nothing, when the writer cannot be loaded', async () => {
    const out = deferredOutput(() => Promise.reject(new Error('dist/core/index.js is missing')));
    out.setSecret('never printed');
    await expect(out.flush()).rejects.toThrow('dist/core/index.js is missing');
    expect(() => out.exportAll(BATCH)).toThrow(/before flush/);
  });
});

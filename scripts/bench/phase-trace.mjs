// Preloaded (NODE_OPTIONS=--import) into the benchmark's traced runs only, never into the timed ones:
// one stderr line per network milestone of the process, from Node's own diagnostics channels, and the
// CPU time it used. Read by scripts/bench/phases.ts.
import { subscribe } from 'node:diagnostics_channel';

const mark = what => process.stderr.write(`PHASE ${performance.now().toFixed(1)} ${what}\n`);
subscribe('net.client.socket', () => mark('connect'));
subscribe('http.client.request.start', ({ request }) => request.once('finish', () => mark('sent')));
subscribe('http.client.response.finish', () => mark('answered'));
process.on('exit', () => {
  const cpu = process.cpuUsage();
  mark('exit');
  process.stderr.write(`PHASE ${((cpu.user + cpu.system) / 1000).toFixed(1)} cpu\n`);
});

// `npm run fuzz [-- --iterations N --seed S --target NAME]`: the long fuzz run over every
// registered parser of network input (RTSP, SDP, RTP/RTCP, depacketizers, bitstreams, SIP,
// MANSCDP, PS, the uplink batch, GB/T 28181 DeviceInfo answers as the ledger judges them, audit checkpoint files, the ingest stream check and RTP sequence tracker, the recording-file scan of recovery and the verifier, ONVIF responses, SNTP replies). The test suite runs a short version of the same targets.
import { existsSync } from 'node:fs';
import { fuzzTargets, runFuzz } from '../src/media/fuzz/targets.ts';

await import('../src/media/fuzz/depacketizer-targets.ts');
await import('../src/org/fuzz-targets.ts');
if (existsSync(new URL('../src/gb28181/fuzz-targets.ts', import.meta.url))) await import('../src/gb28181/fuzz-targets.ts');
await import('../src/uplink/fuzz-targets.ts');
await import('../src/ledger/fuzz-targets.ts');
await import('../src/audit/fuzz-targets.ts');
await import('../src/ingest/fuzz-targets.ts');
await import('../src/recording/fuzz-targets.ts');
await import('../src/onvif/fuzz-targets.ts');
await import('../src/util/sntp-fuzz-targets.ts');

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const iterations = Number(arg('iterations', '200000'));
const seed = Number(arg('seed', String(Date.now() % 1_000_000)));
const only = arg('target', '');

let failed = 0;
for (const name of Object.keys(fuzzTargets).sort()) {
  if (only && name !== only) continue;
  const r = runFuzz(name, iterations, seed);
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  console.log(`${name.padEnd(28)} ${iterations} inputs  seed ${seed}  ${Math.round(r.totalMs)} ms  slowest ${r.slowestMs.toFixed(1)} ms  rss ${rssMb} MB  failures ${r.failures.length}`);
  for (const f of r.failures.slice(0, 3)) console.log(`  iteration ${f.iteration}: ${f.error}\n  input (base64): ${f.inputBase64.slice(0, 200)}`);
  failed += r.failures.length;
}
console.log(failed === 0 ? 'fuzz: no failures' : `fuzz: ${failed} failures`);
process.exitCode = failed === 0 ? 0 : 1;

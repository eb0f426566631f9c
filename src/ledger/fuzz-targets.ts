// Fuzz target of the ledger's judgement of a GB/T 28181 DeviceInfo answer (network input from a
// device registered at this node; gb-device-info.ts, device-facts.ts), registered with the shared
// runner (src/media/fuzz/targets.ts): the MANSCDP bytes as a device may send them, parsed by the
// codec, then answerFacts + factsProblem. Nothing may throw past the codec's own refusal, and what
// is accepted must be plausible text of at most 128 characters with a channel count of 0–4096.
import { encodeManscdp, parseManscdp } from '../gb28181/index.ts';
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { factsProblem } from './device-facts.ts';
import { answerFacts } from './gb-device-info.ts';

const seed = (fields: Record<string, unknown>) => encodeManscdp({ kind: 'device-info-response', sn: 7, deviceId: '32010600001180000001', result: 'OK', ...fields } as Parameters<typeof encodeManscdp>[0]);

export const DEVICE_INFO_SEEDS: Uint8Array[] = [
  seed({ manufacturer: 'Hikvision', model: 'DS-7816N-K2', firmware: 'V4.1.6', channel: 16 }),
  seed({ manufacturer: '海康威视', model: 'DS-2CD3T46', firmware: 'V5.7.3 build 220112', channel: 1, deviceName: '考场前置' }),
  seed({ result: 'ERROR' }),
];

// eslint-disable-next-line no-control-regex -- what must never be accepted
const CONTROL = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

registerFuzzTarget('gb-device-info', (input) => {
  let msg;
  try {
    msg = parseManscdp(input);
  } catch {
    return; // refused by the codec: the node sees no answer
  }
  if (msg.kind !== 'device-info-response') return;
  const facts = answerFacts(msg);
  if ('error' in facts) {
    if (!facts.error) throw new FuzzInvariantError('refusal without a reason');
    return;
  }
  if (factsProblem(facts) !== null) return; // refused with its reason
  for (const v of [facts.manufacturer, facts.model, facts.firmware]) {
    if (v === undefined) continue;
    if (v.length > 128) throw new FuzzInvariantError('over-long field accepted');
    if (CONTROL.test(v)) throw new FuzzInvariantError('control or bidi character accepted');
  }
  if (facts.channels !== undefined && !(Number.isInteger(facts.channels) && facts.channels >= 0 && facts.channels <= 4096)) throw new FuzzInvariantError('implausible channel count accepted');
}, DEVICE_INFO_SEEDS);

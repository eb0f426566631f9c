// Fuzz target of the SNTP reply parser (issue 19, node-health clock drift): the reply comes over
// UDP from the network. A refusal is an SntpError with a reason; a TypeError/RangeError, a hang, or
// an accepted reply that breaks its invariants (mode, stratum, echoed request) is a bug.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { SntpError, parseSntpReply, sntpReplyTo, sntpRequest } from './sntp.ts';

const REQUEST = sntpRequest(Date.UTC(2026, 5, 7, 8, 0, 0));
export const SNTP_SEEDS: Uint8Array[] = [
  sntpReplyTo(REQUEST, Date.UTC(2026, 5, 7, 8, 0, 0, 20), Date.UTC(2026, 5, 7, 8, 0, 0, 21)),
  sntpReplyTo(REQUEST, Date.UTC(2026, 5, 7, 8, 0, 5), Date.UTC(2026, 5, 7, 8, 0, 5), 1),
  Buffer.concat([sntpReplyTo(REQUEST, 0, 0, 0), Buffer.from('RATE')]),
];

registerFuzzTarget('sntp-reply', (input) => {
  const echo = input.length % 2 === 0 ? REQUEST.subarray(40, 48) : undefined;
  let r;
  try {
    r = parseSntpReply(input, echo);
  } catch (err) {
    if (err instanceof SntpError && err.message.length > 0) return;
    throw err;
  }
  if (r.stratum < 1 || r.stratum > 15) throw new FuzzInvariantError(`stratum ${r.stratum} accepted`);
  if (!Number.isFinite(r.transmitMs) || !Number.isFinite(r.receiveMs)) throw new FuzzInvariantError('non-finite timestamp');
  if (echo && !Buffer.from(input.subarray(24, 32)).equals(Buffer.from(echo))) throw new FuzzInvariantError('reply to another request accepted');
}, SNTP_SEEDS);

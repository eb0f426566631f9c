// Fuzz target of the channel's batch parser (network input from lower levels), registered with
// the shared runner (src/media/fuzz/targets.ts). parseBatch never throws: any exception, a hang or
// an accepted batch that breaks its own invariants is a bug.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { MAX_BATCH_ITEMS, MAX_ITEM_BODY_BYTES, parseBatch, readAuthHeaders } from './wire.ts';

const item = (seq: number, body: string | null) => ({ seq, originCode: '32010600002000000001', originSeq: seq + 10, topic: 'readiness.result', key: `c${seq}:34020000001320000001`, body, updatedAtMs: 1780000000000 + seq, });
const seedBatch = (items: unknown[], peers: unknown[] = []) => Buffer.from(JSON.stringify({ v: 1, epoch: '0123456789abcdef', items, backlog: 3, peers }));

export const UPLINK_SEEDS: Uint8Array[] = [
  seedBatch([]),
  seedBatch([item(1, '{"verdict":"pass","value":1.5}'), item(2, null), item(5, '[1,2,{"a":"考点"}]')]),
  seedBatch([item(7, '"x"')], [{ code: '32010600002000000001', name: '第一中学考点', lastReceivedAtMs: 1780000000000, backlog: 0, stale: false }, { code: '32010200002000000001', name: '玄武', lastReceivedAtMs: null, backlog: null, stale: true }]),
];

registerFuzzTarget('uplink-batch', (input) => {
  const r = parseBatch(Buffer.from(input.buffer, input.byteOffset, input.length));
  if (!r.ok) {
    if (typeof r.error !== 'string' || r.error.length === 0) throw new FuzzInvariantError('refusal without a reason');
    return;
  }
  const b = r.batch;
  if (b.items.length > MAX_BATCH_ITEMS) throw new FuzzInvariantError('too many items accepted');
  for (let i = 0; i < b.items.length; i++) {
    const it = b.items[i];
    if (i > 0 && it.seq <= b.items[i - 1].seq) throw new FuzzInvariantError('sequence not increasing');
    if (!/^\d{20}$/.test(it.originCode)) throw new FuzzInvariantError('bad origin code accepted');
    if (it.body !== null && it.body.length > MAX_ITEM_BODY_BYTES) throw new FuzzInvariantError('oversized body accepted');
    if (it.body !== null) JSON.parse(it.body); // must not throw: checked by the parser
  }
  // The header reader sees the same bytes as header values.
  const text = Buffer.from(input).toString('latin1');
  readAuthHeaders((name) => (name.length % 2 === 0 ? text.slice(0, 40) : text));
}, UPLINK_SEEDS);

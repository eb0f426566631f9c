// Fuzz target of the audit checkpoint file parser (issue 13 item 3): the file comes from the upper
// level's export and may be damaged or hostile. A refusal is an Error with a message (SyntaxError
// for bad JSON); a TypeError/RangeError, a hang or an accepted claim that breaks its invariants is a bug.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { judgeCheckpoint, parseCheckpointBody } from './checkpoint-watch.ts';
import { parseCheckpoints } from './checkpoints.ts';

const cp = (seq: number) => ({ v: 1, seq, hash: 'ab'.repeat(32), atMs: 1780000000000 + seq, mac: 'cd'.repeat(32) });
const enc = (v: unknown) => Buffer.from(JSON.stringify(v));

export const CHECKPOINT_SEEDS: Uint8Array[] = [
  enc([cp(1), cp(2)]),
  enc({ items: [{ seq: 0, hash: '0'.repeat(64) }] }),
  enc([{ originCode: '32010600002000000001', topic: 'audit.checkpoint', key: '1', body: cp(1) }, { originCode: '32010600002000000001', topic: 'audit.checkpoint', key: '2', body: JSON.stringify(cp(2)) }, { originCode: '1', topic: 'readiness.result', key: 'x', body: null }]),
];

registerFuzzTarget('audit-checkpoints', (input) => {
  const text = Buffer.from(input).toString('utf8');
  let parsed;
  try {
    parsed = parseCheckpoints(text, input.length % 2 === 0 ? '32010600002000000001' : undefined);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    if (!(err instanceof Error) || err.message.length === 0) throw new FuzzInvariantError('refusal without a reason');
    return;
  }
  for (const c of parsed.claims) {
    if (!Number.isSafeInteger(c.seq) || c.seq < 0) throw new FuzzInvariantError('bad sequence accepted');
    if (!/^[0-9a-f]{64}$/.test(c.hash)) throw new FuzzInvariantError('bad hash accepted');
  }
}, CHECKPOINT_SEEDS);

// The upper judges checkpoint bodies a lower sent over the channel (issue 13, checkpoint-watch.ts):
// parsing never throws; a body that parses is judged without throwing, and never both accepted as
// consistent and below the last accepted checkpoint.
export const CHECKPOINT_BODY_SEEDS: Uint8Array[] = [
  enc({ ...cp(12), keyId: '0123456789abcdef', prev: { seq: 10, hash: 'ab'.repeat(32) } }),
  enc({ ...cp(9), prev: { seq: 12, hash: null } }),
  enc({ ...cp(10), prev: null }),
];

registerFuzzTarget('audit-checkpoint-body', (input) => {
  const body = parseCheckpointBody(Buffer.from(input).toString('utf8'));
  const last = { seq: 10, hash: 'ab'.repeat(32) };
  const j = judgeCheckpoint(last, body);
  if (!body && j.problem !== 'invalid') throw new FuzzInvariantError('a non-checkpoint was not refused as invalid');
  if (body && body.seq < last.seq && j.problem !== 'rollback') throw new FuzzInvariantError('a head that went back was not flagged');
}, CHECKPOINT_BODY_SEEDS);

// Builds signed channel requests as a lower level would (test side of src/uplink/wire.ts).
import { randomBytes } from 'node:crypto';
import { computeHa1 } from '../../src/gb28181/index.ts';
import { BATCH_PATH, HEADER, channelKey, signRequest } from '../../src/uplink/wire.ts';
import type { WireItem, WirePeer } from '../../src/uplink/wire.ts';

export interface SignedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

export function batchBody(items: WireItem[], opts: { epoch?: string; backlog?: number; peers?: WirePeer[] } = {}): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, epoch: opts.epoch ?? 'aaaaaaaaaaaaaaaa', items, backlog: opts.backlog ?? 0, peers: opts.peers ?? [] }));
}

export function signed(body: Buffer, who: { sipId: string; realm: string; password: string }, opts: { timeMs?: number; nonce?: string } = {}): SignedRequest {
  const timeMs = opts.timeMs ?? Date.now();
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  const key = channelKey(computeHa1(who.sipId, who.realm, who.password, 'MD5'));
  const signature = signRequest(key, { method: 'POST', path: BATCH_PATH, id: who.sipId, timeMs, nonce }, body);
  return { body, headers: { 'content-type': 'application/json', [HEADER.id]: who.sipId, [HEADER.time]: String(timeMs), [HEADER.nonce]: nonce, [HEADER.signature]: signature } };
}

export function item(seq: number, originCode: string, key: string, body: unknown, opts: { originSeq?: number; topic?: string } = {}): WireItem {
  return { seq, originCode, originSeq: opts.originSeq ?? seq, topic: opts.topic ?? 'readiness.result', key, body: body === null ? null : JSON.stringify(body), updatedAtMs: 1_780_000_000_000 + seq };
}

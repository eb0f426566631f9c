// GB/T 28181 fuzz targets, registered with the shared runner (src/media/fuzz/targets.ts). Each
// target allows only the error class its parser declares; anything else, a hang or a buffer
// past its bound is a bug. Importing this module registers the targets.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { hashBytes, Prng } from '../media/fuzz/prng.ts';
import { parseSipMessage, serializeSipMessage, SIP_MAX_MESSAGE_BYTES, SipParseError } from './sip/message.ts';
import type { SipRequest } from './sip/message.ts';
import { serverKeyOf } from './sip/transaction.ts';
import { SipStreamParser } from './sip/stream-parser.ts';
import { parseNameAddr } from './sip/uri.ts';
import { applyRport, createResponse, parseCSeq, parseVia } from './sip/util.ts';
import { parseEventHeader, parseSubscriptionState, subscribeExpiresOf } from './sip/events.ts';
import { answerDeviceQuery, encodeManscdp, gbSubscriptionKind, parseKeepaliveFast, parseManscdp, parseManscdpText, ManscdpError, buildBroadcastNotify, readBroadcast, readBroadcastAnswer, readDeviceConfig, readDeviceQuery, readPresetPart } from './manscdp/index.ts';
import { isDeepStrictEqual } from 'node:util';
import { parseGbSubject, ssrcFromSubject } from './sip/subject.ts';
import { decodePtz, PtzError } from './ptz.ts';
import { parseGbSdp, GbSdpError } from './sdp.ts';
import { verifySipAuthorization } from './auth.ts';
import { parseGbVersion } from './version.ts';
import { PsDemuxer, PS_MAX_FRAME_BYTES } from '../media/ps/demux.ts';
import { PsRtpDepacketizer } from '../media/ps/rtp.ts';
import { Rfc4571Deframer } from '../media/ps/rfc4571.ts';
import { parseRtpPacket, RtpError } from '../media/rtp/packet.ts';
import { CATALOG_INFO_FORMS } from './manscdp/catalog-info.ts';
import { CATALOG_INFO_SEEDS, COMMAND_SEEDS, EVENT_SEEDS, KEEPALIVE_SEEDS, MANSCDP_SEEDS, PS_SEEDS, PTZ_SEEDS, SIP_SEEDS, SIP_STREAM_SEEDS } from './fuzz-seeds.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

function expectOnly(fn: () => void, ...allowed: ErrorClass[]): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw e;
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** Splits input into chunks derived from its own bytes, so failures replay from the input alone. */
function* chunks(input: Uint8Array): Generator<Uint8Array> {
  const rng = new Prng(hashBytes(input));
  for (let pos = 0; pos < input.length;) {
    const n = rng.chance(0.3) ? 1 + rng.int(4) : 1 + rng.int(1500);
    yield input.subarray(pos, pos + n);
    pos += n;
  }
}

registerFuzzTarget('gb-sip-message', (input) => {
  expectOnly(() => {
    const m = parseSipMessage(input);
    if (m.body.length > input.length) throw new FuzzInvariantError('body longer than datagram');
    // Helpers the transport calls on every accepted message must also fail only cleanly.
    for (const v of m.headers.getAll('Via')) expectOnly(() => parseVia(v), SipParseError);
    for (const h of ['From', 'To', 'Contact']) {
      const v = m.headers.get(h);
      if (v !== undefined) expectOnly(() => parseNameAddr(v), SipParseError);
    }
    parseCSeq(m.headers.get('CSeq') ?? '');
    if (m.kind === 'request') answerAsTransport(m);
  }, SipParseError);
}, SIP_SEEDS);

/**
 * What the transport does with every UDP request (issue 15 hot path: Via parsed once, rport filled
 * in place, the 200 built in one pass and serialized into one buffer): the answer must parse back,
 * carrying the request's Via list (after rport), Call-ID and CSeq unchanged.
 */
function answerAsTransport(req: SipRequest): void {
  const top = parseVia(req.headers.get('Via') ?? ''); // SipParseError: dropped, as the transport does
  serverKeyOf(top, req.method);
  applyRport(req, '192.0.2.7', 40000, top);
  const res = createResponse(req, 200, { toTag: 'f00d', headers: { Date: '2026-12-07T20:00:00.000' } });
  const bytes = serializeSipMessage(res);
  // A comma list of hundreds of Via is answered one per line: past our own parser's limits, not checked.
  if (res.headers.size > 250 || bytes.length > SIP_MAX_MESSAGE_BYTES) return;
  let back;
  try {
    back = parseSipMessage(bytes);
  } catch (e) {
    throw new FuzzInvariantError(`our answer does not parse: ${(e as Error).message}`);
  }
  for (const h of ['Call-ID', 'CSeq']) if (back.headers.get(h) !== req.headers.get(h)) throw new FuzzInvariantError(`answer changed ${h}`);
  if (!isDeepStrictEqual(back.headers.getAll('Via'), req.headers.getAll('Via'))) throw new FuzzInvariantError('answer changed the Via list');
}

registerFuzzTarget('gb-sip-stream', (input) => {
  const parser = new SipStreamParser();
  expectOnly(() => {
    for (const c of chunks(input)) {
      parser.push(c);
      if (parser.bufferedBytes > parser.maxBufferedBytes) throw new FuzzInvariantError(`stream parser holds ${parser.bufferedBytes} bytes`);
    }
  }, SipParseError);
}, SIP_STREAM_SEEDS);

registerFuzzTarget('gb-manscdp', (input) => {
  expectOnly(() => parseManscdp(input), ManscdpError);
  expectOnly(() => parseManscdp(latin1(input)), ManscdpError);
  // A PresetQuery answer as a relaying level reads it (issue 15): bounded whatever the input.
  expectOnly(() => {
    const p = readPresetPart(parseManscdp(input));
    if (p && (p.items.length > 512 || p.sumNum > 4096 || p.items.some((i) => i.id.length < 1 || i.id.length > 64 || i.name.length > 64) || (p.error?.length ?? 0) > 120)) throw new FuzzInvariantError('preset part out of bounds');
  }, ManscdpError);
}, [...MANSCDP_SEEDS, new TextEncoder().encode('<?xml version="1.0" encoding="GB2312"?><Response><CmdType>PresetQuery</CmdType><SN>3</SN><DeviceID>32010600001320000001</DeviceID><SumNum>2</SumNum><PresetList Num="2"><Item><PresetID>1</PresetID><PresetName>lectern</PresetName></Item><Item><PresetID>2</PresetID><PresetName>door</PresetName></Item></PresetList></Response>')]);

registerFuzzTarget('gb-catalog-info', (input) => {
  // Whatever a catalog's <Info> holds: only known fields, each of its standard form, survive; the
  // item itself is kept; what survives is written back and read again unchanged (what we relay up).
  for (const text of [latin1(input), Buffer.from(input).toString('utf8')]) {
    let msg;
    try {
      msg = parseManscdpText(text);
    } catch (e) {
      if (e instanceof ManscdpError) continue;
      throw e;
    }
    if (msg.kind !== 'catalog-response' && msg.kind !== 'catalog-notify') continue;
    for (const it of msg.items) {
      for (const [k, v] of Object.entries(it.info ?? {})) {
        if (!Object.hasOwn(CATALOG_INFO_FORMS, k)) throw new FuzzInvariantError(`unknown Info field kept: ${k}`);
        if (!CATALOG_INFO_FORMS[k as keyof typeof CATALOG_INFO_FORMS].test(v)) throw new FuzzInvariantError(`malformed ${k} kept: ${JSON.stringify(v)}`);
      }
    }
    const again = parseManscdpText(Buffer.from(encodeManscdp({ ...msg, kind: 'catalog-response', sumNum: msg.items.length } as Parameters<typeof encodeManscdp>[0], 'UTF-8')).toString('utf8'));
    if (again.kind !== 'catalog-response') throw new FuzzInvariantError('catalog did not read back as a catalog');
    const infos = (m: typeof msg): unknown[] => m.items.map((it) => it.info ?? {});
    if (!isDeepStrictEqual(infos(again as typeof msg), infos(msg))) throw new FuzzInvariantError(`Info changed in a round trip: ${JSON.stringify(infos(msg))} → ${JSON.stringify(infos(again as typeof msg))}`);
  }
}, CATALOG_INFO_SEEDS);

registerFuzzTarget('gb-keepalive', (input) => {
  // The keepalive shortcut (manscdp/keepalive-fast.ts) must never answer where the full parser
  // refuses or reads something else.
  for (const text of [latin1(input), Buffer.from(input).toString('utf8')]) {
    const fast = parseKeepaliveFast(text);
    if (!fast) continue;
    let full: unknown;
    try {
      full = parseManscdpText(text);
    } catch (e) {
      throw new FuzzInvariantError(`keepalive shortcut accepted what the parser refuses: ${(e as Error).message}`);
    }
    if (!isDeepStrictEqual(fast, full)) throw new FuzzInvariantError(`keepalive shortcut ${JSON.stringify(fast)} ≠ parser ${JSON.stringify(full)}`);
  }
}, KEEPALIVE_SEEDS);

registerFuzzTarget('gb-ptz', (input) => {
  expectOnly(() => decodePtz(latin1(input)), PtzError);
  // Also as raw bytes → hex, so the checksum/command paths are reached, not just the format check.
  expectOnly(() => decodePtz(Buffer.from(input.subarray(0, 8)).toString('hex').padEnd(16, '0')), PtzError);
}, PTZ_SEEDS);

registerFuzzTarget('gb-sdp-auth', (input) => {
  const text = latin1(input);
  expectOnly(() => parseGbSdp(text), GbSdpError);
  verifySipAuthorization(text, { method: 'REGISTER', realm: '3402000000', nonce: 'n', lookupHa1: (_u, a) => '0'.repeat(a === 'SM3' ? 64 : 32), algorithms: ['SM3', 'MD5'] });
  // X-GB-Ver values come from any REGISTER: never throws, never yields more than 8 characters.
  const v = parseGbVersion(text.slice(0, 64));
  if (v && v.text.length > 8) throw new FuzzInvariantError(`X-GB-Ver parsed to ${v.text.length} characters`);
}, SIP_SEEDS);

registerFuzzTarget('gb-sip-events', (input) => {
  // Event and Subscription-State values from any SUBSCRIBE/NOTIFY: the raw text, each line of it,
  // and the headers of the request it may parse into.
  const text = latin1(input);
  const values = [text, ...text.split(/\r?\n/).slice(0, 64).map((l) => l.slice(l.indexOf(':') + 1))];
  expectOnly(() => {
    const m = parseSipMessage(input);
    values.push(...m.headers.getAll('Event'), ...m.headers.getAll('Subscription-State'));
    if (m.kind === 'request') subscribeExpiresOf(m, 3600);
  }, SipParseError);
  for (const v of values) {
    expectOnly(() => {
      const e = parseEventHeader(v);
      if (e.package.length > v.length || (e.id !== undefined && !v.includes(e.id))) throw new FuzzInvariantError('Event parsed to text it did not hold');
      gbSubscriptionKind(e.package);
    }, SipParseError);
    expectOnly(() => {
      const s = parseSubscriptionState(v);
      if (s.expiresS !== undefined && !(Number.isSafeInteger(s.expiresS) && s.expiresS >= 0)) throw new FuzzInvariantError(`expires ${s.expiresS}`);
    }, SipParseError);
  }
}, EVENT_SEEDS);

registerFuzzTarget('gb-ps-demux', (input) => {
  // Raw PS bytes in arbitrary chunks: never throws, buffers stay bounded.
  const demux = new PsDemuxer();
  for (const c of chunks(input)) {
    for (const f of demux.push(c, 0)) {
      if (f.kind === 'video' && f.nalus.reduce((a, n) => a + n.length, 0) > PS_MAX_FRAME_BYTES) throw new FuzzInvariantError('oversized frame');
    }
    if (demux.bufferedBytes > 0x10000 + 64 + 1500) throw new FuzzInvariantError(`demuxer holds ${demux.bufferedBytes} bytes`);
  }
  demux.flush(0);
  // The same bytes as RFC 4571-framed RTP into the RTP reassembler.
  const deframer = new Rfc4571Deframer();
  const depack = new PsRtpDepacketizer();
  for (const c of chunks(input)) {
    for (const pkt of deframer.push(c)) expectOnly(() => depack.push(parseRtpPacket(pkt), 0), RtpError);
  }
}, PS_SEEDS);

registerFuzzTarget('gb-commands', (input) => {
  // DeviceConfig and Broadcast bodies (via parseManscdp, then the typed readers) and INVITE Subject values.
  expectOnly(() => {
    const m = parseManscdp(input);
    if (m.kind === 'other') {
      const c = readDeviceConfig(m.tree);
      const p = c.basicParam;
      if (p?.heartBeatIntervalS !== undefined && !(p.heartBeatIntervalS >= 5 && p.heartBeatIntervalS <= 3600)) throw new FuzzInvariantError(`HeartBeatInterval ${p.heartBeatIntervalS}`);
      if (m.root === 'Notify' && m.cmdType === 'Broadcast') {
        const b = readBroadcast(m.tree);
        if (b.targetId.length > 64 || b.sourceId.length > 64) throw new FuzzInvariantError('Broadcast id past 64 characters');
        // What an upper sends for the ids read reads back as the same Broadcast.
        const again = parseManscdp(new TextEncoder().encode(buildBroadcastNotify({ sn: m.sn, ...b })));
        if (again.kind !== 'other' || readBroadcast(again.tree).targetId !== b.targetId || again.sn !== m.sn) throw new FuzzInvariantError('Broadcast Notify does not read back');
      }
      // A lower's answer to our Broadcast (upper role): OK, or ERROR with a bounded Reason.
      const answer = readBroadcastAnswer(m);
      if (answer && (answer.reason?.length ?? 0) > 200) throw new FuzzInvariantError('Broadcast Reason past 200 characters');
      // The 2022 device queries: whatever is read is answered, and the answer reads back as a Response of the same SN.
      const q = readDeviceQuery(m);
      if (q) {
        const back = parseManscdp(new TextEncoder().encode(answerDeviceQuery(q, {}, 'UTF-8')));
        if (back.kind !== 'other' || back.root !== 'Response' || back.sn !== q.sn) throw new FuzzInvariantError(`${q.cmdType} answer does not read back`);
      }
    }
  }, ManscdpError);
  const text = latin1(input.subarray(0, 512));
  for (const v of [text, ...text.split(/\r?\n/).slice(0, 16)]) {
    expectOnly(() => parseGbSubject(v), SipParseError);
    const ssrc = ssrcFromSubject(v);
    if (ssrc !== undefined && !/^\d{10}$/.test(ssrc)) throw new FuzzInvariantError(`SSRC ${ssrc}`);
  }
}, COMMAND_SEEDS);

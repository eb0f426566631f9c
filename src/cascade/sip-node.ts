// One SIP endpoint per process for both cascade roles: this node's identity, MANSCDP MESSAGE
// sending, and correlation of (multi-part) MANSCDP answers by SN. See docs/design/cascade.md.
import iconv from 'iconv-lite';
import { createRequest, encodeManscdp, MANSCDP_CONTENT_TYPE, parseNameAddr } from '../gb28181/index.ts';
import type { ManscdpMessage, RequestOptions, SipDestination, SipRequest, SipResponse, SipTransport } from '../gb28181/index.ts';
import { readPresetPart } from '../gb28181/index.ts';

export interface SipIdentity {
  /** 20-digit SIP id of this node. */
  id: string;
  /** 10-digit SIP domain (realm). */
  domain: string;
}

/** `<sip:user@…` with a plain user (a GB id): read without the full parser (every MESSAGE). */
const PLAIN_USER = /^\s*<sips?:([A-Za-z0-9_.-]+)@[A-Za-z0-9.:[\]-]+[>;:]/;

/** The user part (GB id) of a From/To header, or '' when it cannot be parsed. */

export function userOf(header: string | undefined): string {
  if (!header) return '';
  const plain = PLAIN_USER.exec(header);
  if (plain) return plain[1];
  try {
    return parseNameAddr(header).uri.user ?? '';
  } catch {
    return '';
  }
}

interface Pending {
  items: unknown[];
  messages: ManscdpMessage[];
  sumNum?: number;
  resolve: (m: ManscdpMessage[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  idleMs: number;
}

export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
}

export class SipNode {
  private sn = Math.floor(Math.random() * 100_000) + 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly transport: SipTransport,
    readonly identity: SipIdentity,
  ) {}

  nextSn(): number {
    this.sn = this.sn >= 2_000_000_000 ? 1 : this.sn + 1;
    return this.sn;
  }

  get fromUri(): string {
    return `sip:${this.identity.id}@${this.identity.domain}`;
  }

  /** Contact URI for our UDP (or TCP) listener. */
  contact(transport: 'udp' | 'tcp' = 'udp'): string {
    const port = transport === 'udp' ? this.transport.udpPort : this.transport.tcpPort;
    return `<sip:${this.identity.id}@${this.transport.advertisedHost}:${port ?? 5060}>`;
  }

  /** Sends a MANSCDP body (typed message or raw XML text) in a MESSAGE to `toId` at `dest`. */
  message(dest: SipDestination, toId: string, body: ManscdpMessage | string, opts: RequestOptions = {}): Promise<SipResponse> {
    const bytes = typeof body === 'string' ? new Uint8Array(iconv.encode(body, 'gb18030')) : encodeManscdp(body);
    const req = createRequest({
      method: 'MESSAGE', uri: `sip:${toId}@${dest.host}:${dest.port}`, from: `<${this.fromUri}>`, to: `<sip:${toId}@${dest.host}:${dest.port}>`,
      contentType: MANSCDP_CONTENT_TYPE, body: bytes,
    });
    return this.transport.request(req, dest, opts);
  }

  /**
   * Waits for the answer(s) to query `sn`: resolves when the items reach SumNum (Catalog,
   * RecordInfo) or at the first answer without SumNum. Rejects after `idleMs` without a part.
   */
  expect(sn: number, idleMs = 10_000): Promise<ManscdpMessage[]> {
    return new Promise<ManscdpMessage[]>((resolve, reject) => {
      const p: Pending = { items: [], messages: [], resolve, reject, idleMs, timer: setTimeout(() => this.fail(sn), idleMs) };
      this.pending.set(sn, p);
    });
  }

  cancel(sn: number): void {
    const p = this.pending.get(sn);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(sn);
  }

  private fail(sn: number): void {
    const p = this.pending.get(sn);
    if (!p) return;
    this.pending.delete(sn);
    p.reject(new QueryTimeoutError(`no complete answer to MANSCDP query SN ${sn} (${p.items.length}/${p.sumNum ?? '?'} items)`));
  }

  /** Routes an answer to its waiting query; false when nobody waits for its SN. */
  deliver(msg: ManscdpMessage): boolean {
    const p = this.pending.get(msg.sn);
    if (!p) return false;
    p.messages.push(msg);
    // PresetQuery answers are split like Catalog/RecordInfo (gb28181/manscdp/preset-list.ts): wait for SumNum items too.
    const preset = readPresetPart(msg);
    const part = msg.kind === 'catalog-response' || msg.kind === 'record-info-response' ? { items: msg.items as unknown[], sumNum: msg.sumNum } : preset && !preset.error ? preset : undefined;
    if (part) {
      p.items.push(...part.items);
      p.sumNum = part.sumNum;
      if (p.items.length < part.sumNum) {
        clearTimeout(p.timer);
        p.timer = setTimeout(() => this.fail(msg.sn), p.idleMs);
        return true;
      }
    }
    clearTimeout(p.timer);
    this.pending.delete(msg.sn);
    p.resolve(p.messages);
    return true;
  }

  close(): void {
    for (const sn of [...this.pending.keys()]) this.fail(sn);
  }
}

/** Where to answer a request from a peer: its Contact if it has host:port, else the request's source. */
export function replyDestination(req: SipRequest, source: SipDestination): SipDestination {
  return source.transport === 'tcp' ? source : { host: source.host, port: source.port, transport: 'udp' };
}

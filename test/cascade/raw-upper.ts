// A scripted upper platform on a real SIP socket, for tests of the lower role: accepts any digest
// REGISTER, answers MESSAGEs 200 and records every request it receives (method, size on the wire,
// decoded MANSCDP), sends queries and controls, and never subscribes unless told to.
import { SipNode } from '../../src/cascade/sip-node.ts';
import { createSipChallenge, parseManscdp, serializeSipMessage, SipTransport } from '../../src/gb28181/index.ts';
import type { ManscdpMessage, ReplyFn, RequestContext, SipDestination, SipRequest, SipResponse } from '../../src/gb28181/index.ts';
import { until } from './helpers.ts';

export interface Received {
  method: string;
  bytes: number;
  msg?: ManscdpMessage;
  req: SipRequest;
}

export class RawUpper {
  readonly received: Received[] = [];
  registered = false;
  /** Answers INVITEs instead of the plain 200 (a broadcast's audio leg: voice-broadcast.e2e). */
  onInvite?: (req: SipRequest, reply: ReplyFn, ctx: RequestContext) => void;

  private constructor(readonly node: SipNode) {
    node.transport.on('request', (req, reply, ctx) => {
      let msg: ManscdpMessage | undefined;
      try {
        msg = req.body.length > 0 ? parseManscdp(req.body) : undefined;
      } catch {
        msg = undefined;
      }
      this.received.push({ method: req.method, bytes: serializeSipMessage(req).length, msg, req });
      if (req.method === 'REGISTER') {
        if (!req.headers.has('Authorization')) return void reply(401, { headers: { 'WWW-Authenticate': createSipChallenge({ realm: node.identity.domain }).header } });
        this.registered = req.headers.get('Expires') !== '0';
        return void reply(200, { headers: { Expires: req.headers.get('Expires') ?? '3600' } });
      }
      if (req.method === 'INVITE' && this.onInvite) return this.onInvite(req, reply, ctx);
      reply(200);
    });
  }

  static async start(id: string): Promise<RawUpper> {
    const t = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0, tcpPort: 0 });
    return new RawUpper(new SipNode(t, { id, domain: id.slice(0, 10) }));
  }

  get port(): number {
    return this.node.transport.udpPort!;
  }

  /** MANSCDP messages received so far (MESSAGE and NOTIFY bodies). */
  messages(): ManscdpMessage[] {
    return this.received.flatMap((r) => (r.msg ? [r.msg] : []));
  }

  /** Sends `msg` to the lower at `dest`; resolves with the SIP answer. */
  send(dest: SipDestination, lowerId: string, msg: ManscdpMessage): Promise<SipResponse> {
    return this.node.message(dest, lowerId, msg);
  }

  /** Sends a query and waits until the answers with its SN are complete (SumNum reached, or one answer). */
  async ask(dest: SipDestination, lowerId: string, msg: ManscdpMessage, timeoutMs = 15_000): Promise<ManscdpMessage[]> {
    const res = await this.send(dest, lowerId, msg);
    if (res.status !== 200) throw new Error(`lower answered ${res.status}`);
    const answers = (): ManscdpMessage[] => this.messages().filter((m) => m.sn === msg.sn && m.kind !== msg.kind);
    await until(`answer to SN ${msg.sn}`, () => {
      const a = answers();
      if (a.length === 0) return false;
      const first = a[0];
      if (first.kind === 'catalog-response' || first.kind === 'record-info-response') {
        return a.reduce((n, m) => n + ((m.kind === 'catalog-response' || m.kind === 'record-info-response') ? m.items.length : 0), 0) >= first.sumNum;
      }
      return true;
    }, timeoutMs);
    return answers();
  }

  close(): Promise<void> {
    return this.node.transport.close();
  }
}

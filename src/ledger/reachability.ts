// Reachability of devices that are not video devices (issue 19 item 3: switches, UPS, clocks, …;
// R-SEC-2, R-FLT-1, R-ORG-2; docs/design/ledger.md "Reachability"). A device whose ledger row names
// a probe host is probed on every health sample: a TCP connect to its configured port (a switch's
// SSH / HTTP, a UPS network card's web page), or with no port an ICMP echo through the system's
// `ping` binary when the node has one (ICMP needs raw sockets, which Node has not; no SNMP library
// is installed). Its history row is then online or offline instead of 未监测; offline for
// `offlineAfterMs` opens its one offline ticket, reachable again starts the healthy span the system
// verifies from. A device whose probe cannot run (no `ping`) stays not measured, never offline.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../util/clock.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { FaultService } from './fault-service.ts';

/** true = answered, false = did not, null = cannot be measured from this node. */
export type ProbeResult = boolean | null;
export type Prober = (host: string, tcpPort: number | null, timeoutMs: number) => Promise<ProbeResult>;

/** A TCP connect: reachable when accepted. Refused counts as unreachable: the configured service is what is checked. */
export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** One ICMP echo through `ping`; null when the node has no `ping` binary. */
export function icmpReachable(host: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const p = spawn('ping', ['-c', '1', '-W', String(Math.max(1, Math.ceil(timeoutMs / 1000))), host], { stdio: 'ignore' });
    p.once('error', () => resolve(null)); // ENOENT: not installed
    p.once('exit', (code) => resolve(code === 0));
  });
}

export const defaultProber: Prober = (host, port, timeoutMs) => (port === null ? icmpReachable(host, timeoutMs) : tcpReachable(host, port, timeoutMs));

export interface ReachabilityDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  faults: FaultService;
  /** Unreachable this long opens the offline ticket, ms. */
  offlineAfterMs: number;
  /** One probe's time limit, ms. */
  timeoutMs: number;
  prober?: Prober;
}

export class Reachability {
  /** Device id → since when it has not answered, ms. */
  private readonly downSince = new Map<number, number>();
  private readonly last = new Map<number, boolean>();
  private warnedNoPing = false;

  constructor(private readonly d: ReachabilityDeps) {}

  /**
   * Probes the devices (in parallel) and acts on the results; returns each measured device's
   * reachability (unmeasurable ones are absent).
   */
  async probe(devices: ReadonlyArray<{ id: number; name: string; probe_host?: string | null; probe_tcp_port?: number | null }>): Promise<Map<number, boolean>> {
    const prober = this.d.prober ?? defaultProber;
    const targets = devices.filter((x) => x.probe_host);
    const results = await Promise.all(targets.map(async (x) => ({ x, ok: await prober(x.probe_host!, x.probe_tcp_port ?? null, this.d.timeoutMs).catch(() => null) })));
    const now = this.d.clock.nowMs();
    const out = new Map<number, boolean>();
    for (const { x, ok } of results) {
      if (ok === null) {
        if (!this.warnedNoPing) this.d.log.warn({ deviceId: x.id, host: x.probe_host }, '本机无 ping 命令，未配置端口的设备无法探测 (no ping binary: ICMP probes not measured)');
        this.warnedNoPing = true;
        continue;
      }
      out.set(x.id, ok);
      const was = this.last.get(x.id);
      this.last.set(x.id, ok);
      const where = `${x.probe_host}${x.probe_tcp_port ? `:${x.probe_tcp_port}` : ' (ICMP)'}`;
      if (was !== ok) this.d.log.info({ deviceId: x.id, host: x.probe_host, port: x.probe_tcp_port ?? null, reachable: ok }, `${x.name} ${ok ? '可达 reachable' : '不可达 unreachable'}: ${where}`);
      if (ok) {
        this.downSince.delete(x.id);
        await this.d.faults.recordHealthy(x.id, 'offline');
        continue;
      }
      const since = this.downSince.get(x.id) ?? now;
      this.downSince.set(x.id, since);
      if (now - since < this.d.offlineAfterMs) continue;
      const open = await repos(this.d.store.db).ledger.unverifiedTicket(SYSTEM_ACTOR.scope, x.id, 'offline');
      if (open && open.healthy_since_ms === null) {
        // Still down: one ticket, no count per sample. A ticket a person has just marked repaired
        // gets the same grace as a new fault (a switch reboots after its repair): it goes back to
        // repairing only when the device is still unreachable offlineAfterMs after the mark.
        if (open.state !== 'repaired') continue;
        if (now - (open.repaired_at_ms ?? 0) < this.d.offlineAfterMs) continue;
      }
      await this.d.faults.recordFault(x.id, 'offline', `设备不可达超过 ${Math.round(this.d.offlineAfterMs / 1000)} 秒（${where}）(unreachable for ${Math.round((now - since) / 1000)} s)`);
    }
    return out;
  }
}

// Tickets from readiness probes and retention disk alarms (R-FLT-1, R-CITY-4, issue 19 item 4b):
// - a probe that finds the picture black, covered, blurred, frozen or the camera turned (readiness
//   `picture` / `moved` fail) opens or adds to the camera's one "picture" ticket; a later probe with
//   a good picture starts the healthy span the system verifies from. An offline camera's picture is
//   not judged (that is the offline ticket's business). The clock row failing (> 3 s off) is the
//   camera's clock_drift ticket, passing is health.
// - the same probe's conformance (online, decode and standard profile pass, the configured profile
//   matching what is sent) releases tickets of a replaced device (R-CITY-4).
// - the retention job's disk-full / disk-pressure alarm opens or adds to the node server's one
//   "disk" ticket (shared with the node-health sampler's own disk check); its clearing is health.
import type { FaultService } from './fault-service.ts';

export interface ProbeOutcomeLike { probe: string; verdict: string; value?: string; reason: string | null }
export interface DiskAlarmLike { kind: string; message: string; freeBytes: number }

export class SignalFaults {
  constructor(private readonly d: { faults: FaultService; deviceOf: (cameraId: number) => Promise<number | undefined>; serverDevice: () => Promise<number | undefined> }) {}

  async onProbe(cameraId: number, outcomes: readonly ProbeOutcomeLike[]): Promise<void> {
    const by = new Map(outcomes.map((o) => [o.probe, o]));
    if (by.get('online')?.verdict !== 'pass') return;
    const device = await this.d.deviceOf(cameraId);
    if (device === undefined) return;
    const bad = (['picture', 'moved'] as const).map((k) => by.get(k)).filter((o) => o?.verdict === 'fail');
    if (bad.length) await this.d.faults.recordFault(device, 'picture', `画面故障 (picture fault)：${bad.map((o) => o!.reason ?? o!.value ?? '').join('；')}`.slice(0, 500));
    else if (by.has('picture')) await this.d.faults.recordHealthy(device, 'picture');
    // The probe's clock verdict (fail = beyond 3 s against the time source) is a clock_drift fault too.
    const clock = by.get('clock');
    if (clock?.verdict === 'fail') await this.d.faults.recordFault(device, 'clock_drift', `摄像机时钟偏差 (camera clock drift, readiness)：${clock.value ?? ''}`.slice(0, 500));
    else if (clock?.verdict === 'pass') await this.d.faults.recordHealthy(device, 'clock_drift');
    // A configured profile unlike what is sent (config "warn") is not conformant either.
    const conform = ['online', 'decode', 'profile'].every((k) => by.get(k)?.verdict === 'pass') && (!by.has('config') || by.get('config')?.verdict === 'pass');
    const profile = by.get('profile');
    await this.d.faults.recordConformance(device, conform, `考前检测符合性检查通过：${profile?.value ?? ''}`);
  }

  async onDiskAlarm(e: DiskAlarmLike): Promise<void> {
    const device = await this.d.serverDevice();
    if (device !== undefined) await this.d.faults.recordFault(device, 'disk', `录像磁盘告警 (retention disk alarm ${e.kind})：${e.message}`.slice(0, 500));
  }

  async onDiskCleared(): Promise<void> {
    const device = await this.d.serverDevice();
    if (device !== undefined) await this.d.faults.recordHealthy(device, 'disk');
  }
}

// Rows → API views, and the one rule of "is this site ready" (R-PRE-2, R-PRE-3): every camera
// checked with no fail, every exam-room camera with a current signed reference, every checklist
// item that applies signed "ok" (per-workstation items: at least one workstation). Pure.
import type { ProbeCameraRow, ReferenceRow, ResultRow } from '../store/repos/readiness-repo.ts';
import type { SignatureRow, TemplateItemRow, TemplateRow } from '../store/repos/checklist-repo.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { CameraResultView, SiteStateView } from './schemas.ts';

export type ChecklistItem = { itemId: number; templateId: number; requirement: string; title: string; text: string; per: 'site' | 'workstation'; sitePathPrefix: string };
export type Signature = Omit<SignatureRow, 'file_b64'>;

const REFERENCE_ROOMS = new Set(['exam', 'lab']);

export function checklistItems(templates: readonly TemplateRow[], items: readonly TemplateItemRow[]): ChecklistItem[] {
  const byId = new Map(templates.map((t) => [t.id, t]));
  return items.flatMap((i) => {
    const t = byId.get(i.template_id);
    return t ? [{ itemId: i.id, templateId: t.id, requirement: t.requirement, title: t.title, text: i.text, per: i.per, sitePathPrefix: t.node_path }] : [];
  });
}

export function referenceStale(ref: ReferenceRow, cam: ProbeCameraRow): boolean {
  return cam.updated_at_ms > ref.camera_updated_at_ms;
}

export function cameraView(cam: ProbeCameraRow, results: readonly ResultRow[], ref: ReferenceRow | undefined, running: boolean, hasSnapshot: boolean): CameraResultView {
  const verdict = results.length === 0 ? 'unchecked' : results.some((r) => r.verdict === 'fail') ? 'fail' : results.some((r) => r.verdict === 'warn') ? 'warn' : 'pass';
  return {
    cameraId: cam.id,
    cameraName: cam.name,
    roomId: cam.room_id,
    roomName: cam.room_name,
    roomKind: cam.room_kind,
    siteId: cam.site_id,
    siteName: cam.site_name,
    verdict,
    running,
    results: results.map((r) => ({ probe: r.probe, verdict: r.verdict, value: r.value, rule: r.rule, reason: r.reason, measuredAtMs: r.measured_at_ms, measuredAt: formatBeijing(r.measured_at_ms), measuredKbps: r.measured_kbps === null || r.measured_kbps === undefined ? null : Number(r.measured_kbps) })),
    reference: ref ? { signerName: ref.signer_name, signedAtMs: ref.signed_at_ms, signedAt: formatBeijing(ref.signed_at_ms), stale: referenceStale(ref, cam) } : null,
    hasSnapshot,
  };
}

/** Share of the uplink capacity above which the site warns (room for loss, jitter and retransmission). */
export const BANDWIDTH_WARN_SHARE = 0.8;

/** R-PRE-4: every camera's main stream pulled upward at once against the site's link. */
export function judgeBandwidth(vs: readonly CameraResultView[], capacityKbps: number | undefined): SiteStateView['bandwidth'] {
  const rates = vs.map((v) => v.results.find((r) => r.probe === 'profile')?.measuredKbps).filter((k): k is number => typeof k === 'number');
  const requiredKbps = rates.reduce((a, b) => a + b, 0);
  const capacity = capacityKbps ?? null;
  const verdict = capacity === null ? 'unset' : requiredKbps > capacity ? 'fail' : requiredKbps > capacity * BANDWIDTH_WARN_SHARE ? 'warn' : 'pass';
  return { requiredKbps, measuredCameras: rates.length, capacityKbps: capacity, verdict };
}

const mbps = (kbps: number) => `${(kbps / 1000).toFixed(1)} Mbit/s`;

export function siteStates(cameras: readonly ProbeCameraRow[], views: readonly CameraResultView[], items: readonly ChecklistItem[], signatures: readonly Signature[], extraSites: ReadonlyArray<{ id: number; name: string; path: string }> = [], uplinkKbps: ReadonlyMap<number, number> = new Map()): SiteStateView[] {
  const sites = new Map<number, { name: string; path: string }>();
  for (const s of extraSites) sites.set(s.id, { name: s.name, path: s.path });
  for (const c of cameras) sites.set(c.site_id, { name: c.site_name, path: c.site_path });
  return [...sites.entries()]
    .map(([siteId, s]) => {
      const vs = views.filter((v) => v.siteId === siteId);
      const count = (k: CameraResultView['verdict']) => vs.filter((v) => v.verdict === k).length;
      const applicable = items.filter((i) => s.path.startsWith(i.sitePathPrefix));
      const sigs = signatures.filter((g) => g.site_id === siteId);
      const signedOk = applicable.filter((i) => sigs.some((g) => g.item_id === i.itemId && g.outcome === 'ok'));
      const failed = applicable.filter((i) => sigs.some((g) => g.item_id === i.itemId && g.outcome === 'fail'));
      const reasons: string[] = [];
      const cams = { total: vs.length, pass: count('pass'), warn: count('warn'), fail: count('fail'), unchecked: count('unchecked') };
      if (cams.fail) reasons.push(`${cams.fail} 路摄像机检测不合格 (cameras failed)`);
      if (cams.unchecked) reasons.push(`${cams.unchecked} 路摄像机未检测 (cameras not checked)`);
      const noRef = vs.filter((v) => REFERENCE_ROOMS.has(v.roomKind) && (!v.reference || v.reference.stale)).length;
      if (noRef) reasons.push(`${noRef} 路考场摄像机参考画面未签字或需重签 (reference not signed)`);
      if (failed.length) reasons.push(`${failed.length} 项检查表不合格 (checklist items failed)`);
      const bandwidth = judgeBandwidth(vs, uplinkKbps.get(siteId));
      if (bandwidth.verdict === 'fail') reasons.push(`上行带宽不足：${bandwidth.measuredCameras} 路主码流需 ${mbps(bandwidth.requiredKbps)}，链路 ${mbps(bandwidth.capacityKbps!)} (uplink too small)`);
      const unsigned = applicable.length - signedOk.length - failed.length;
      if (unsigned > 0) reasons.push(`${unsigned} 项检查表未签字 (checklist items not signed)`);
      const nothingDone = cams.unchecked === cams.total && signedOk.length === 0 && failed.length === 0;
      const state: SiteStateView['state'] = reasons.length === 0 ? 'ready' : nothingDone ? 'unchecked' : 'not_ready';
      return { siteId, siteName: s.name, sitePath: s.path, state, reasons, cameras: cams, checklist: { needed: applicable.length, signed: signedOk.length, failed: failed.length }, bandwidth };
    })
    .sort((a, b) => (a.sitePath < b.sitePath ? -1 : a.sitePath > b.sitePath ? 1 : 0));
}

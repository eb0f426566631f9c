// The names an audit record shows (issue 14 item 17): events that carry only ids (alarm.ack,
// video.live.start, evidence.hold, recording.schedule.*, backup.create, exam.window.edit, …) get
// the camera / room / site / exam names added to their detail when they are written, so the log
// page and its CSV show "考点 房间 摄像机" as it was at the time, not "摄像机 #11,12".
import type { Kysely } from 'kysely';
import type { Scope } from '../auth/actor.ts';
import { AuditNamesRepo } from '../store/repos/audit-names-repo.ts';
import type { Database } from '../store/schema.ts';

/** Detail keys the log reads a name from (audit-views objectName); an event with one keeps it. */
const NAME_KEYS = ['name', 'camera', 'room', 'site', 'cameras'] as const;

const idList = (v: unknown): number[] => {
  const raw = Array.isArray(v) ? v : typeof v === 'number' || typeof v === 'string' ? String(v).split(',') : [];
  return raw.map(Number).filter((n) => Number.isInteger(n) && n > 0);
};
// A list of objects is not a name: playback.start lists its cameras as {id, gbCode} (they get names below).
const hasName = (d: Record<string, unknown>): boolean =>
  NAME_KEYS.some((k) => (typeof d[k] === 'string' && d[k] !== '') || (Array.isArray(d[k]) && (d[k] as unknown[]).length > 0 && (d[k] as unknown[]).every((x) => typeof x === 'string')));
const isIdObject = (x: unknown): x is { id: number } => typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'number';

/** `detail` with the names of what the event concerns added (unchanged when it names it already or nothing is found). */
export async function withObjectNames(db: Kysely<Database>, objectType: string, objectId: string | number, detail: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined> {
  return named(db, objectType, objectId, detail);
}

/**
 * For a refusal: only the names of cameras inside the refused user's own scope (a duty refusal of
 * cameras they may otherwise see read "摄像机 #1,2"); nothing else, so a request for an object
 * outside the scope never writes that object's name into a record its user can read (R-ACC-1).
 */
export async function withScopedCameraNames(db: Kysely<Database>, scope: Scope, objectType: string, objectId: string | number, detail: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined> {
  const d = detail ?? {};
  const camIds = objectType === 'camera' ? idList(objectId) : [...idList(d.cameraId), ...idList(d.cameraIds)];
  // A refused request can list any number of ids: name up to 50, else none.
  if (camIds.length === 0 || camIds.length > 50) return detail;
  return named(db, 'camera', camIds.join(','), detail, scope);
}

async function named(db: Kysely<Database>, objectType: string, objectId: string | number, detail: Record<string, unknown> | undefined, scope?: Scope): Promise<Record<string, unknown> | undefined> {
  const d = detail ?? {};
  if (hasName(d)) return detail;
  const n = new AuditNamesRepo(db);
  const add: Record<string, unknown> = {};
  const cameras = async (ids: number[]) => {
    const m = await n.cameraLabels(ids, scope);
    const names = ids.map((i) => m.get(i)).filter((x): x is string => x !== undefined);
    // A refusal naming some cameras only would read as if it concerned those alone.
    if (scope && names.length < ids.length) return;
    if (names.length === 1) add.camera = names[0];
    // Cameras listed as objects keep their fields, each with its name added.
    else if (names.length > 1 && Array.isArray(d.cameras)) add.cameras = d.cameras.map((x) => (isIdObject(x) && m.has(x.id) ? { ...x, name: m.get(x.id) } : x));
    else if (names.length > 1) add.cameras = names;
  };
  const ids = idList(objectId);
  switch (objectType) {
    case 'camera':
      await cameras(ids);
      break;
    case 'room': {
      const m = await n.roomLabels(ids);
      if (ids.length === 1 && m.has(ids[0])) add.room = m.get(ids[0]);
      break;
    }
    case 'org_node': {
      const m = await n.nodeNames(ids);
      if (ids.length === 1 && m.has(ids[0])) add.name = m.get(ids[0]);
      break;
    }
    case 'exam':
      if (ids.length === 1) add.name = await n.examName(ids[0]);
      break;
    case 'exam_session':
      if (ids.length === 1) add.name = await n.sessionLabel(ids[0]);
      break;
    case 'user':
      if (ids.length === 1) add.name = await n.userName(ids[0]);
      break;
    case 'evidence_hold': {
      const cam = ids.length === 1 ? await n.holdCamera(ids[0]) : undefined;
      if (cam !== undefined) await cameras([cam]);
      break;
    }
  }
  if (scope) return finish(d, add, detail);
  // Objects named by their ids in the detail (an alarm's camera, a window's room, a backup's cameras).
  if (add.camera === undefined && add.cameras === undefined) {
    const camIds = [...idList(d.cameraId), ...idList(d.cameraIds)];
    if (camIds.length) await cameras([...new Set(camIds)].slice(0, 50));
  }
  if (add.room === undefined && add.camera === undefined && idList(d.roomId).length === 1) {
    const id = idList(d.roomId)[0];
    add.room = (await n.roomLabels([id])).get(id);
  }
  if (add.name === undefined && idList(d.sessionId).length === 1) add.name = await n.sessionLabel(idList(d.sessionId)[0]);
  else if (add.name === undefined && idList(d.examId).length === 1) add.name = await n.examName(idList(d.examId)[0]);
  if (add.site === undefined && add.camera === undefined && add.room === undefined && idList(d.siteId).length === 1) {
    const id = idList(d.siteId)[0];
    add.site = (await n.nodeNames([id])).get(id);
  }
  return finish(d, add, detail);
}

function finish(d: Record<string, unknown>, add: Record<string, unknown>, detail: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  for (const k of Object.keys(add)) if (add[k] === undefined) delete add[k];
  return Object.keys(add).length ? { ...d, ...add } : detail;
}

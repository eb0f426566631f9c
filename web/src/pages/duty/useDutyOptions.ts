// Choices for the 值班 forms: monitoring rooms, exam rooms and cameras in scope (from the org tree)
// and, for administrators, the users that can be put on a roster.
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import type { OrgNode, User } from '../../types.ts';

export interface Option { value: number; label: string }
export interface DutyOptions { monitoringRooms: Option[]; examRooms: Option[]; cameras: Option[]; users: Option[]; cameraName: (id: number) => string; roomName: (id: number) => string }

/** loadTree false: a role without org.read (the inspector) asks for no tree it would be refused. */
export function useDutyOptions(loadUsers: boolean, loadTree = true): DutyOptions {
  const [o, setO] = useState<DutyOptions>({ monitoringRooms: [], examRooms: [], cameras: [], users: [], cameraName: (id) => `#${id}`, roomName: (id) => `#${id}` });
  useEffect(() => {
    let live = true;
    void (async () => {
      const [tree, users] = await Promise.all([loadTree ? api.orgTree() : Promise.resolve({ nodes: [] as OrgNode[] }), loadUsers ? api.users().then((u) => u.users) : Promise.resolve([] as User[])]);
      const monitoringRooms: Option[] = [];
      const examRooms: Option[] = [];
      const cameras: Option[] = [];
      for (const n of tree.nodes) {
        for (const r of n.rooms ?? []) {
          (r.kind === 'monitoring' ? monitoringRooms : examRooms).push({ value: r.id, label: `${n.name} / ${r.name}` });
          for (const c of r.cameras) cameras.push({ value: c.id, label: `${r.name} / ${c.name}` });
        }
      }
      const cam = new Map(cameras.map((c) => [c.value, c.label]));
      const room = new Map([...monitoringRooms, ...examRooms].map((r) => [r.value, r.label]));
      if (live) setO({ monitoringRooms, examRooms, cameras, users: users.filter((u) => !u.disabled).map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` })), cameraName: (id) => cam.get(id) ?? `#${id}`, roomName: (id) => room.get(id) ?? `#${id}` });
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [loadUsers, loadTree]);
  return o;
}

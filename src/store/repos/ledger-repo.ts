// Equipment ledger, fault tickets with their history, and training records (issue 19,
// docs/design/ledger.md; R-SEC-1/2, R-FLT-1, R-PRE-1). Devices and tickets are scoped through their
// org node's path, training records through their user's node, like every other table.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, FaultKind, FaultTicketEventTable, FaultTicketTable, LedgerDeviceTable, TicketState, TrainingRecordTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type DeviceRow = Selectable<LedgerDeviceTable> & { node_path: string; node_name: string; node_code: string; room_name: string | null };
export type TicketRow = Selectable<FaultTicketTable> & { node_path: string; node_name: string; node_code: string; device_name: string; device_code: string; device_class: string; camera_id: number | null; responsible_name: string };
export type TicketEventRow = Selectable<FaultTicketEventTable>;
export type TrainingRow = Selectable<TrainingRecordTable> & { username: string; display_name: string };

export interface TicketFilter { state?: TicketState | 'unverified'; deviceId?: number }

export class LedgerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private devices(scope: Scope) {
    let q = this.db
      .selectFrom('ledger_device')
      .innerJoin('org_node', 'org_node.id', 'ledger_device.org_node_id')
      .leftJoin('room', 'room.id', 'ledger_device.room_id')
      .selectAll('ledger_device')
      .select(['org_node.path as node_path', 'org_node.name as node_name', 'org_node.gb_code as node_code', 'room.name as room_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  listDevices(scope: Scope, nodeId?: number): Promise<DeviceRow[]> {
    let q = this.devices(scope);
    if (nodeId !== undefined) q = q.where('ledger_device.org_node_id', '=', nodeId);
    return q.orderBy('org_node.path').orderBy('ledger_device.device_class').orderBy('ledger_device.code').execute();
  }

  getDevice(scope: Scope, id: number): Promise<DeviceRow | undefined> {
    return this.devices(scope).where('ledger_device.id', '=', id).executeTakeFirst();
  }

  deviceOfCamera(scope: Scope, cameraId: number): Promise<DeviceRow | undefined> {
    return this.devices(scope).where('ledger_device.camera_id', '=', cameraId).executeTakeFirst();
  }

  /** A device of a node by its code (system use: the node's own server row). */
  deviceByCode(orgNodeId: number, code: string): Promise<DeviceRow | undefined> {
    return this.devices({ kind: 'all' }).where('ledger_device.org_node_id', '=', orgNodeId).where('ledger_device.code', '=', code).executeTakeFirst();
  }

  /** Devices whose code is one of `codes`, anywhere (system use: the ledger rows of GB/T 28181 devices registered here, by SIP id). */
  async devicesWithCodes(codes: readonly string[]): Promise<DeviceRow[]> {
    const out: DeviceRow[] = [];
    for (let i = 0; i < codes.length; i += 500) out.push(...(await this.devices({ kind: 'all' }).where('ledger_device.code', 'in', codes.slice(i, i + 500)).orderBy('ledger_device.id').execute()));
    return out;
  }

  /** The org node this server stands for: the one with `gbCode`, else the root of the tree. */
  homeNode(gbCode?: string): Promise<{ id: number; path: string; gb_code: string; name: string } | undefined> {
    let q = this.db.selectFrom('org_node').select(['id', 'path', 'gb_code', 'name']);
    q = gbCode ? q.where('gb_code', '=', gbCode) : q.where('parent_id', 'is', null);
    return q.orderBy('id').executeTakeFirst();
  }

  async codeTaken(orgNodeId: number, code: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('ledger_device').select('id').where('org_node_id', '=', orgNodeId).where('code', '=', code);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  async insertDevice(v: Omit<Insertable<LedgerDeviceTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('ledger_device').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateDevice(id: number, v: Updateable<LedgerDeviceTable>): Promise<void> {
    await this.db.updateTable('ledger_device').set(v).where('id', '=', id).execute();
  }

  async deleteDevice(id: number): Promise<void> {
    await this.db.deleteFrom('ledger_device').where('id', '=', id).execute();
  }

  /**
   * Cameras in scope that have no ledger row yet (cameras appear in the ledger by themselves),
   * with their site and room.
   */
  camerasWithoutDevice(scope: Scope): Promise<Array<{ camera_id: number; name: string; gb_code: string; room_id: number; site_id: number }>> {
    let q = this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .leftJoin('ledger_device', 'ledger_device.camera_id', 'camera.id')
      .where('ledger_device.id', 'is', null)
      .select(['camera.id as camera_id', 'camera.name as name', 'camera.gb_code as gb_code', 'camera.room_id as room_id', 'room.site_id as site_id']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.orderBy('camera.id').execute();
  }

  private tickets(scope: Scope) {
    let q = this.db
      .selectFrom('fault_ticket')
      .innerJoin('org_node', 'org_node.id', 'fault_ticket.org_node_id')
      .innerJoin('ledger_device', 'ledger_device.id', 'fault_ticket.device_id')
      .selectAll('fault_ticket')
      .select(['org_node.path as node_path', 'org_node.name as node_name', 'org_node.gb_code as node_code', 'ledger_device.name as device_name', 'ledger_device.code as device_code', 'ledger_device.device_class as device_class', 'ledger_device.camera_id as camera_id', 'ledger_device.responsible_name as responsible_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  listTickets(scope: Scope, f: TicketFilter = {}): Promise<TicketRow[]> {
    let q = this.tickets(scope);
    if (f.state === 'unverified') q = q.where('fault_ticket.state', '!=', 'verified');
    else if (f.state) q = q.where('fault_ticket.state', '=', f.state);
    if (f.deviceId !== undefined) q = q.where('fault_ticket.device_id', '=', f.deviceId);
    return q.orderBy('fault_ticket.opened_at_ms', 'desc').orderBy('fault_ticket.id', 'desc').execute();
  }

  getTicket(scope: Scope, id: number): Promise<TicketRow | undefined> {
    return this.tickets(scope).where('fault_ticket.id', '=', id).executeTakeFirst();
  }

  /** The device's unverified ticket of this kind, if any: there is at most one (flap suppression). */
  unverifiedTicket(scope: Scope, deviceId: number, kind: FaultKind): Promise<TicketRow | undefined> {
    return this.tickets(scope).where('fault_ticket.device_id', '=', deviceId).where('fault_ticket.kind', '=', kind).where('fault_ticket.state', '!=', 'verified').executeTakeFirst();
  }

  async insertTicket(v: Omit<Insertable<FaultTicketTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('fault_ticket').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateTicket(id: number, v: Updateable<FaultTicketTable>): Promise<void> {
    await this.db.updateTable('fault_ticket').set(v).where('id', '=', id).execute();
  }

  async insertEvent(v: Omit<Insertable<FaultTicketEventTable>, 'id'>): Promise<void> {
    await this.db.insertInto('fault_ticket_event').values(v).execute();
  }

  /** A ticket's history, oldest first; empty when the ticket is outside the scope. */
  /** Events of the given actions on these tickets, oldest first (system use: replacement and conformance events). */
  async eventsOf(ticketIds: readonly number[], actions: readonly string[]): Promise<TicketEventRow[]> {
    if (ticketIds.length === 0) return [];
    const out: TicketEventRow[] = [];
    for (let i = 0; i < ticketIds.length; i += 500) {
      out.push(...(await this.db.selectFrom('fault_ticket_event').selectAll().where('ticket_id', 'in', ticketIds.slice(i, i + 500)).where('action', 'in', actions).orderBy('ticket_id').orderBy('at_ms').orderBy('id').execute()));
    }
    return out;
  }

  events(scope: Scope, ticketId: number): Promise<TicketEventRow[]> {
    let q = this.db
      .selectFrom('fault_ticket_event')
      .innerJoin('fault_ticket', 'fault_ticket.id', 'fault_ticket_event.ticket_id')
      .innerJoin('org_node', 'org_node.id', 'fault_ticket.org_node_id')
      .selectAll('fault_ticket_event')
      .where('fault_ticket_event.ticket_id', '=', ticketId);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.orderBy('fault_ticket_event.at_ms').orderBy('fault_ticket_event.id').execute();
  }

  listTraining(scope: Scope, userId?: number): Promise<TrainingRow[]> {
    let q = this.db
      .selectFrom('training_record')
      .innerJoin('app_user', 'app_user.id', 'training_record.user_id')
      .innerJoin('org_node', 'org_node.id', 'app_user.org_node_id')
      .selectAll('training_record')
      .select(['app_user.username as username', 'app_user.display_name as display_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (userId !== undefined) q = q.where('training_record.user_id', '=', userId);
    return q.orderBy('training_record.trained_on_ms', 'desc').orderBy('training_record.id', 'desc').execute();
  }

  async insertTraining(v: Omit<Insertable<TrainingRecordTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('training_record').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Deletes a record of a user in scope; false when none was. */
  async deleteTraining(scope: Scope, id: number): Promise<boolean> {
    const row = (await this.listTraining(scope)).find((r) => r.id === id);
    if (!row) return false;
    await this.db.deleteFrom('training_record').where('id', '=', id).execute();
    return true;
  }
}

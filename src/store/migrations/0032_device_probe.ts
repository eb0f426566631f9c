// Reachability of devices that are not video devices (issue 19 item 3: switches, UPS, clocks, …;
// docs/design/ledger.md "Reachability"): where the node may reach a device, it probes it on every
// health sample and keeps its online / offline history like a camera's.
// probe_host: IP address or host name probed (no unit); null = not measured (shown 未监测).
// probe_tcp_port: TCP port a connect is tried on (port number, 1–65535); null with a host = ICMP
//   echo through the system's `ping` binary (when the node has one; otherwise not measured).
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('ledger_device').addColumn('probe_host', 'varchar(253)').execute();
    await db.schema.alterTable('ledger_device').addColumn('probe_tcp_port', 'integer').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('ledger_device').dropColumn('probe_tcp_port').execute();
    await db.schema.alterTable('ledger_device').dropColumn('probe_host').execute();
  };
}

// DeviceConfig from the upper (this node as lower; GB/T 28181 A.2.3.2). BasicParam's Expiration,
// HeartBeatInterval and HeartBeatCount are applied to the link to that upper (in memory, until
// restart: the configured values are the site's own); a Name other than this node's is refused
// (names are set in the console, where they are audited with the org tree). Other configuration
// types (SVAC, video parameters, record plans…) are not applied: Result ERROR. Always audited.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { ManscdpError, readDeviceConfig } from '../gb28181/index.ts';
import type { DeviceConfigRequest, OtherMessage } from '../gb28181/index.ts';
import { responseXml } from './lower-commands.ts';
import type { LowerLink } from './lower-link.ts';

export interface ConfigDeps {
  link: Pick<LowerLink, 'reconfigure'>;
  audit: AuditService;
  /** Name this node reports (BasicParam Name, DeviceInfo DeviceName). */
  name: string;
  /** The target is this node (not one of its cameras, whose configuration is the console's). */
  isNode: boolean;
}

export interface ConfigOutcome {
  result: 'OK' | 'ERROR';
  reason: string;
}

/** What a DeviceConfig asks, decided (pure): applied, or why not. */
export function decideConfig(req: DeviceConfigRequest, name: string): ConfigOutcome {
  if (req.otherTypes.length > 0) return { result: 'ERROR', reason: `not applied remotely: ${req.otherTypes.join(', ')} (set in the site console)` };
  const p = req.basicParam;
  if (!p) return { result: 'ERROR', reason: 'no configuration in the request' };
  if (p.name !== undefined && p.name !== name) return { result: 'ERROR', reason: 'names are set in the site console' };
  return { result: 'OK', reason: 'BasicParam applied until restart' };
}

/** Answers a `Control/DeviceConfig` message; undefined for any other message. */
export async function answerConfig(msg: OtherMessage, deps: ConfigDeps, actor: Actor): Promise<string | undefined> {
  if (msg.root !== 'Control' || msg.cmdType !== 'DeviceConfig') return undefined;
  let req: DeviceConfigRequest | undefined;
  let out: ConfigOutcome;
  try {
    req = readDeviceConfig(msg.tree);
    out = deps.isNode ? decideConfig(req, deps.name) : { result: 'ERROR', reason: 'cameras are configured in the site console' };
  } catch (e) {
    if (!(e instanceof ManscdpError)) throw e;
    out = { result: 'ERROR', reason: e.message };
  }
  const p = req?.basicParam;
  if (out.result === 'OK' && p) {
    deps.link.reconfigure({
      ...(p.expirationS !== undefined ? { expiresS: p.expirationS } : {}),
      ...(p.heartBeatIntervalS !== undefined ? { keepaliveS: p.heartBeatIntervalS } : {}),
      ...(p.heartBeatCount !== undefined ? { heartBeatCount: p.heartBeatCount } : {}),
    });
  }
  await deps.audit.record(actor, {
    action: 'cascade.config', objectType: 'device', objectId: msg.deviceId, outcome: out.result === 'OK' ? 'ok' : 'denied',
    detail: { basicParam: p ?? null, otherTypes: req?.otherTypes ?? [], reason: out.reason },
  });
  return responseXml('DeviceConfig', msg.sn, msg.deviceId, [{ name: 'Result', text: out.result }]);
}

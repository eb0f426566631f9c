// Duty and discipline (issue 18, docs/design/duty.md): one DutyService per app, publishing upward
// through the node-to-node channel.
import type { App } from '../app.ts';
import { createCascadeModule } from '../cascade/index.ts';
import { createUplinkModule } from '../uplink/index.ts';
import { DutyService } from './duty-service.ts';
import { DutySweep } from './duty-sweep.ts';
import { RemoteGrants, VIEW_DECISION_TOPIC } from './grant-remote.ts';
import { GrantService } from './grant-service.ts';
import { INCIDENT_TOPIC, IncidentService } from './incident-service.ts';
import { PtzForwarder } from './ptz-forward.ts';
import { ReviewService } from './review-service.ts';

const services = new WeakMap<object, DutyService>();

export function dutyOf(app: App): DutyService {
  let s = services.get(app);
  if (!s) {
    s = new DutyService({ store: app.store, audit: app.audit, clock: app.clock, box: app.box, log: app.log, presenceEveryMs: app.config.duty.presenceConfirmMin * 60_000, publish: (trx, item) => createUplinkModule(app).service.publish(trx, item) });
    services.set(app, s);
  }
  return s;
}

const incidents = new WeakMap<object, IncidentService>();

export function incidentsOf(app: App): IncidentService {
  let s = incidents.get(app);
  if (!s) {
    const uplink = () => createUplinkModule(app).service;
    s = new IncidentService({ store: app.store, audit: app.audit, clock: app.clock, publish: (trx, item) => uplink().publish(trx, item), listReceived: (actor) => uplink().list(actor, { topic: INCIDENT_TOPIC }) });
    incidents.set(app, s);
  }
  return s;
}

const sweeps = new WeakMap<object, DutySweep>();

/** The idle check-out and window-start sweep (duty-sweep.ts), started by `serve`. */
export function dutySweepOf(app: App): DutySweep {
  let s = sweeps.get(app);
  if (!s) {
    remoteGrantsOf(app); // registers the handler of decisions from above before the channel runs
    s = new DutySweep({ store: app.store, clock: app.clock, log: app.log, duty: dutyOf(app), reviews: reviewsOf(app) }, { idleCheckoutMs: app.config.duty.idleCheckoutMin * 60_000 });
    sweeps.set(app, s);
  }
  return s;
}

const forwarders = new WeakMap<object, PtzForwarder>();

/** Moves cameras after the PTZ lock allowed it (ONVIF, or PTZCmd through the cascade for GB channels). */
export function ptzForwarderOf(app: App): PtzForwarder {
  let f = forwarders.get(app);
  if (!f) {
    f = new PtzForwarder({ box: app.box, log: app.log, gbPtz: (channelId, cmd) => createCascadeModule(app).calls?.ptz(channelId, cmd) ?? Promise.resolve('ERROR') });
    forwarders.set(app, f);
  }
  return f;
}

const reviews = new WeakMap<object, ReviewService>();

/** Custody review tasks (every 6 h of a custody window, signed by a named person; overdue ones go upward). */
export function reviewsOf(app: App): ReviewService {
  let r = reviews.get(app);
  if (!r) {
    r = new ReviewService({ store: app.store, audit: app.audit, clock: app.clock, log: app.log, publish: (trx, item) => createUplinkModule(app).service.publish(trx, item) });
    reviews.set(app, r);
  }
  return r;
}

const grants = new WeakMap<object, { grants: GrantService; remote: RemoteGrants }>();

function grantModule(app: App): { grants: GrantService; remote: RemoteGrants } {
  let g = grants.get(app);
  if (!g) {
    const uplink = () => createUplinkModule(app).service;
    const gs = new GrantService({ store: app.store, audit: app.audit, clock: app.clock, log: app.log, publish: (trx, item) => uplink().publish(trx, item) });
    const remote = new RemoteGrants({ store: app.store, audit: app.audit, clock: app.clock, log: app.log, grants: gs, uplink, selfId: () => createUplinkModule(app).settings?.id });
    // Decisions from the level above (docs/design/duty.md "Downward approvals").
    uplink().onDown(VIEW_DECISION_TOPIC, { handle: (m) => remote.applyFromUpper(m), waiting: () => remote.waiting() });
    g = { grants: gs, remote };
    grants.set(app, g);
  }
  return g;
}

/** Remote-viewing requests and decisions at this node (published upward). */
export function grantsOf(app: App): GrantService {
  return grantModule(app).grants;
}

/** Requests from the levels below decided here, and decisions from above applied here. */
export function remoteGrantsOf(app: App): RemoteGrants {
  return grantModule(app).remote;
}

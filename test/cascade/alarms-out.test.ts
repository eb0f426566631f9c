// Which camera status changes become GB/T 28181 video-loss alarms sent upward (R-FLT-1): a camera
// that drops, also when it was already online before the cascade module started watching; not
// the retries of a camera that is still down, nor a camera that never came up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchFaults } from '../../src/cascade/alarms-out.ts';
import type { SipNode } from '../../src/cascade/sip-node.ts';
import type { CameraStatusEvent } from '../../src/events/bus.ts';
import type { AlarmNotify } from '../../src/gb28181/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('video-loss alarms from camera status (R-FLT-1)', () => {
  let t: TestApp;
  let camera: { id: number; gbCode: string };
  const sent: AlarmNotify[] = [];
  let stop: () => void = () => undefined;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const admin = await t.actor('admin');
    const site = (await t.app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    const room = site.rooms!.find((r) => r.name === '第01考场')!;
    camera = await t.app.devices.createCamera(admin, { roomId: room.id, name: '前置摄像机', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' });
    let sn = 0;
    // Only the SN counter of the SIP node is used when building an alarm.
    const node = { nextSn: () => ++sn } as unknown as SipNode;
    stop = watchFaults(t.app.events, t.app.store, node, (build) => {
      sent.push(build());
    });
  });
  afterAll(async () => {
    stop();
    await t.close();
  });

  const status = (state: CameraStatusEvent['state']): void => {
    t.app.events.emit('camera.status', { cameraId: camera.id, state, recording: false, reason: state === 'error' ? 'eof' : undefined, atMs: t.clock.nowMs() });
  };
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

  it('a camera first seen in error (online before the watch began) raises one video-loss alarm', async () => {
    status('error');
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ deviceId: camera.gbCode, alarmMethod: 2, alarmType: 1 });
    expect(sent[0].alarmDescription).toContain('视频丢失');
  });

  it('retries of a camera still down raise nothing more; the next drop after recovery raises one', async () => {
    status('connecting');
    status('error');
    status('connecting');
    status('error');
    await settle();
    expect(sent).toHaveLength(1);
    status('connecting');
    status('online');
    status('error');
    await settle();
    expect(sent).toHaveLength(2);
  });
});

describe('every camera fault raises one alarm, not only online → error (R-FLT-1, issue 15 defect 6)', () => {
  let t: TestApp;
  let camera: { id: number; gbCode: string };
  const sent: AlarmNotify[] = [];
  let stop: () => void = () => undefined;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const admin = await t.actor('admin');
    const site = (await t.app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    const room = site.rooms!.find((r) => r.name === '第01考场')!;
    camera = await t.app.devices.createCamera(admin, { roomId: room.id, name: '后置摄像机', position: 'rear', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' });
    let sn = 0;
    const node = { nextSn: () => ++sn } as unknown as SipNode;
    stop = watchFaults(t.app.events, t.app.store, node, (build) => void sent.push(build()));
  });
  afterAll(async () => {
    stop();
    await t.close();
  });
  const status = (state: CameraStatusEvent['state'], reason?: string): void => {
    t.app.events.emit('camera.status', { cameraId: camera.id, state, recording: false, reason, atMs: t.clock.nowMs() });
  };

  it('R-FLT-1: an online camera whose stream path changed (stopped → connecting → error) raises one video-loss alarm; recovery then a new fault raises another', async () => {
    status('connecting');
    status('online');
    status('stopped'); // reconfigured: the supervisor is replaced
    status('connecting');
    status('error', 'not-found');
    status('connecting');
    status('error', 'not-found');
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toMatchObject({ deviceId: camera.gbCode, alarmMethod: 2, alarmType: 1 });
    expect(sent[0].alarmDescription).toContain('not-found');
    status('connecting');
    status('online');
    status('error', 'eof');
    await expect.poll(() => sent.length).toBe(2);
  });
});

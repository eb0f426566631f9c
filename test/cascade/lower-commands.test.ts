// The lower role's answers that depend on what the node knows of a camera (issue 15): the Result
// of IFameCmd and the DutyStatus of DeviceStatus Alarmstatus. The wire and the camera side are
// covered by cascade.e2e (PLI/FIR seen at the simulated camera) and lower-role.e2e. R-FN-3, R-FLT-1.
import { describe, expect, it } from 'vitest';
import { dutyStatusOf, iFrameOutcome } from '../../src/cascade/lower-commands.ts';
import type { CameraRow } from '../../src/store/repos/camera-repo.ts';

const camera = { id: 7 } as CameraRow;
const online = { online: true, recording: true, state: 'online' };

describe('IFameCmd and Alarmstatus answers of the lower role (R-FN-3)', () => {
  it('IFameCmd is OK when the camera was asked (RTCP) or a live session restarts at the next keyframe, ERROR with the reason otherwise', () => {
    const asked: number[] = [];
    const ask = (via: string | undefined, sessions: number) => (id: number) => {
      asked.push(id);
      return { ...(via ? { via } : {}), sessions };
    };
    expect(iFrameOutcome(camera, online, ask('rtcp-tcp', 1))).toEqual({ result: 'OK', reason: 'keyframe requested from the camera (rtcp-tcp); 1 live session(s) to the upper restart at the next keyframe' });
    expect(asked).toEqual([7]);
    expect(iFrameOutcome(camera, online, ask(undefined, 2))).toMatchObject({ result: 'OK', reason: expect.stringMatching(/no RTCP channel\); 2 live session/) });
    expect(iFrameOutcome(camera, online, ask(undefined, 0))).toMatchObject({ result: 'ERROR', reason: expect.stringMatching(/no live session to restart/) });
    // Not asked at all: unknown device, offline camera, nothing wired to ask.
    expect(iFrameOutcome(undefined, online, ask('rtcp-tcp', 1))).toEqual({ result: 'ERROR', reason: 'unknown camera' });
    expect(iFrameOutcome(camera, { online: false, recording: false, state: 'error' }, ask('rtcp-tcp', 1))).toMatchObject({ result: 'ERROR', reason: expect.stringMatching(/camera offline/) });
    expect(iFrameOutcome(camera, online, undefined)).toMatchObject({ result: 'ERROR' });
    expect(asked).toEqual([7, 7, 7]);
  });

  it('R-FLT-1: DutyStatus is ALARM while the camera is in error (its video-loss alarm is up), ONDUTY while supervised, OFFDUTY when not run here', () => {
    expect(dutyStatusOf('error')).toBe('ALARM');
    expect(dutyStatusOf('online')).toBe('ONDUTY');
    expect(dutyStatusOf('connecting')).toBe('ONDUTY');
    expect(dutyStatusOf('stopped')).toBe('OFFDUTY');
    expect(dutyStatusOf(undefined)).toBe('OFFDUTY');
  });
});

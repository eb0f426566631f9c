import { describe, it, expect } from 'vitest';
import { decodePtz, encodePtz, PtzError } from './ptz.ts';
import type { PtzCommand } from './ptz.ts';

describe('PTZ command codec (R-DIS-2)', () => {
  it('R-DIS-2: decodes known vectors', () => {
    expect(decodePtz('A50F0100000000B5')).toEqual({ kind: 'stop', address: 1 });
    // Pan left at speed 0x3F (common device capture): b4=02, b5=3F.
    expect(decodePtz('A50F01023F0000F6')).toEqual({ kind: 'ptz', pan: 'left', panSpeed: 0x3f, tiltSpeed: 0, zoomSpeed: 0, address: 1 });
    // Zoom in at zoom speed 1: b4=10, b7=10.
    expect(decodePtz('A50F0110000010D5')).toMatchObject({ kind: 'ptz', zoom: 'in', zoomSpeed: 1 });
    // Call preset 3.
    expect(decodePtz('A50F01820003003A')).toEqual({ kind: 'preset', action: 'call', preset: 3, address: 1 });
  });

  it('R-DIS-2: encode/decode round-trips every command kind', () => {
    const cmds: PtzCommand[] = [
      { kind: 'stop' },
      { kind: 'ptz', pan: 'right', tilt: 'up', zoom: 'out', panSpeed: 200, tiltSpeed: 100, zoomSpeed: 15 },
      { kind: 'fi', focus: 'near', iris: 'open', focusSpeed: 5, irisSpeed: 6 },
      { kind: 'preset', action: 'set', preset: 255 },
      { kind: 'preset', action: 'delete', preset: 1 },
      { kind: 'cruise', action: 'add', group: 1, preset: 7 },
      { kind: 'cruise', action: 'dwell', group: 2, preset: 0, value: 0x123 },
      { kind: 'scan', action: 'left', group: 3 },
      { kind: 'scan', action: 'speed', group: 3, speed: 0x456 },
      { kind: 'aux', action: 'on', aux: 2 },
    ];
    for (const c of cmds) expect(decodePtz(encodePtz(c, 0x234))).toEqual({ ...c, address: 0x234 });
    expect(encodePtz({ kind: 'stop' })).toBe('A50F0100000000B5');
  });

  it('R-DIS-2: rejects bad checksum, header, conflicting bits and unknown commands', () => {
    for (const bad of ['A50F0100000000B6', 'A40F0100000000B4', 'A5000100000000A6', 'A50F0103000000B8', 'A50F01FF000000B4', 'xyz', 'A50F0182000000B7']) {
      expect(() => decodePtz(bad), bad).toThrow(PtzError);
    }
    expect(() => encodePtz({ kind: 'ptz', panSpeed: 256, tiltSpeed: 0, zoomSpeed: 0 })).toThrow(PtzError);
    expect(() => encodePtz({ kind: 'stop' }, 5000)).toThrow(PtzError);
  });
});

// GB/T 28181 PTZ command (Annex A.3): 8 bytes sent as 16 hex chars in <PTZCmd>.
//   b1 A5 | b2 version<<4 | check | b3 address low | b4 command | b5 data1 | b6 data2 |
//   b7 zoom speed<<4 | address high | b8 sum(b1..b7) mod 256
// Decoding to a structure lets the platform police who may move which camera (R-DIS-2).

export class PtzError extends Error {
  override readonly name = 'PtzError';
}

export type PtzCommand =
  | { kind: 'ptz'; pan?: 'left' | 'right'; tilt?: 'up' | 'down'; zoom?: 'in' | 'out'; panSpeed: number; tiltSpeed: number; zoomSpeed: number }
  | { kind: 'stop' }
  | { kind: 'fi'; focus?: 'near' | 'far'; iris?: 'open' | 'close'; focusSpeed: number; irisSpeed: number }
  | { kind: 'preset'; action: 'set' | 'call' | 'delete'; preset: number }
  | { kind: 'cruise'; action: 'add' | 'delete' | 'speed' | 'dwell' | 'start'; group: number; preset: number; value?: number }
  | { kind: 'scan'; action: 'start' | 'left' | 'right' | 'speed'; group: number; speed?: number }
  | { kind: 'aux'; action: 'on' | 'off'; aux: number };

export type PtzDecoded = PtzCommand & { address: number };

const VERSION = 0;

function checkNibble(version: number): number {
  // Check nibble: (high nibble of b1 + low nibble of b1 + version) mod 16 → 0xF for A5, v0.
  return (0xa + 0x5 + version) % 16;
}

function u8(n: number, what: string, max = 255): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new PtzError(`${what} must be an integer 0..${max}`);
  return n;
}

/** Encodes a command to the 16-char upper-case hex string for <PTZCmd>. `address` is 0..4095. */
export function encodePtz(cmd: PtzCommand, address = 1): string {
  u8(address, 'address', 0xfff);
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  let zoomSpeed = 0;
  switch (cmd.kind) {
    case 'stop':
      break;
    case 'ptz':
      if (cmd.zoom === 'out') b4 |= 0x20;
      if (cmd.zoom === 'in') b4 |= 0x10;
      if (cmd.tilt === 'up') b4 |= 0x08;
      if (cmd.tilt === 'down') b4 |= 0x04;
      if (cmd.pan === 'left') b4 |= 0x02;
      if (cmd.pan === 'right') b4 |= 0x01;
      b5 = u8(cmd.panSpeed, 'panSpeed');
      b6 = u8(cmd.tiltSpeed, 'tiltSpeed');
      zoomSpeed = u8(cmd.zoomSpeed, 'zoomSpeed', 15);
      break;
    case 'fi':
      b4 = 0x40;
      if (cmd.iris === 'close') b4 |= 0x08;
      if (cmd.iris === 'open') b4 |= 0x04;
      if (cmd.focus === 'near') b4 |= 0x02;
      if (cmd.focus === 'far') b4 |= 0x01;
      b5 = u8(cmd.focusSpeed, 'focusSpeed');
      b6 = u8(cmd.irisSpeed, 'irisSpeed');
      break;
    case 'preset':
      b4 = { set: 0x81, call: 0x82, delete: 0x83 }[cmd.action];
      b6 = u8(cmd.preset, 'preset');
      if (cmd.preset === 0) throw new PtzError('preset must be 1..255');
      break;
    case 'cruise': {
      b4 = { add: 0x84, delete: 0x85, speed: 0x86, dwell: 0x87, start: 0x88 }[cmd.action];
      b5 = u8(cmd.group, 'group');
      // Speed and dwell carry a 12-bit value: low 8 bits in b6, high 4 bits in the b7 high nibble.
      const v = cmd.action === 'speed' || cmd.action === 'dwell' ? u8(cmd.value ?? 0, 'value', 0xfff) : u8(cmd.preset, 'preset');
      b6 = v & 0xff;
      zoomSpeed = v >> 8;
      break;
    }
    case 'scan': {
      b4 = cmd.action === 'speed' ? 0x8a : 0x89;
      b5 = u8(cmd.group, 'group');
      if (cmd.action === 'speed') {
        const v = u8(cmd.speed ?? 0, 'speed', 0xfff);
        b6 = v & 0xff;
        zoomSpeed = v >> 8;
      } else b6 = { start: 0, left: 1, right: 2 }[cmd.action];
      break;
    }
    case 'aux':
      b4 = cmd.action === 'on' ? 0x8c : 0x8d;
      b5 = u8(cmd.aux, 'aux');
      break;
  }
  const bytes = [0xa5, (VERSION << 4) | checkNibble(VERSION), address & 0xff, b4, b5, b6, ((zoomSpeed & 0x0f) << 4) | (address >> 8)];
  bytes.push(bytes.reduce((a, b) => a + b, 0) & 0xff);
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** Decodes a <PTZCmd> hex string; throws PtzError on bad length, header, checksum or conflicting bits. */
export function decodePtz(hex: string): PtzDecoded {
  const h = hex.trim();
  if (!/^[0-9A-Fa-f]{16}$/.test(h)) throw new PtzError('PTZCmd must be 16 hex digits');
  const b = Array.from({ length: 8 }, (_, i) => parseInt(h.slice(i * 2, i * 2 + 2), 16));
  if (b[0] !== 0xa5) throw new PtzError('PTZCmd first byte must be A5');
  const version = b[1] >> 4;
  if ((b[1] & 0x0f) !== checkNibble(version)) throw new PtzError('PTZCmd byte 2 check nibble mismatch');
  const sum = b.slice(0, 7).reduce((a, x) => a + x, 0) & 0xff;
  if (sum !== b[7]) throw new PtzError(`PTZCmd checksum ${b[7].toString(16)} != ${sum.toString(16)}`);
  const address = b[2] | ((b[6] & 0x0f) << 8);
  const cmd = decodeCommand(b[3], b[4], b[5], b[6] >> 4);
  return { ...cmd, address };
}

function decodeCommand(c: number, d1: number, d2: number, hi: number): PtzCommand {
  if ((c & 0xc0) === 0) {
    if (c === 0) return { kind: 'stop' };
    if ((c & 0x30) === 0x30 || (c & 0x0c) === 0x0c || (c & 0x03) === 0x03) throw new PtzError('PTZ command has conflicting direction bits');
    const out: PtzCommand = { kind: 'ptz', panSpeed: d1, tiltSpeed: d2, zoomSpeed: hi };
    if (c & 0x20) out.zoom = 'out';
    if (c & 0x10) out.zoom = 'in';
    if (c & 0x08) out.tilt = 'up';
    if (c & 0x04) out.tilt = 'down';
    if (c & 0x02) out.pan = 'left';
    if (c & 0x01) out.pan = 'right';
    return out;
  }
  if ((c & 0xf0) === 0x40) {
    if ((c & 0x0c) === 0x0c || (c & 0x03) === 0x03) throw new PtzError('FI command has conflicting bits');
    if ((c & 0x0f) === 0) return { kind: 'stop' };
    const out: PtzCommand = { kind: 'fi', focusSpeed: d1, irisSpeed: d2 };
    if (c & 0x08) out.iris = 'close';
    if (c & 0x04) out.iris = 'open';
    if (c & 0x02) out.focus = 'near';
    if (c & 0x01) out.focus = 'far';
    return out;
  }
  switch (c) {
    case 0x81: case 0x82: case 0x83:
      if (d2 === 0) throw new PtzError('preset number 0 is invalid');
      return { kind: 'preset', action: c === 0x81 ? 'set' : c === 0x82 ? 'call' : 'delete', preset: d2 };
    case 0x84: case 0x85: case 0x88:
      return { kind: 'cruise', action: c === 0x84 ? 'add' : c === 0x85 ? 'delete' : 'start', group: d1, preset: d2 };
    case 0x86: case 0x87:
      return { kind: 'cruise', action: c === 0x86 ? 'speed' : 'dwell', group: d1, preset: 0, value: d2 | (hi << 8) };
    case 0x89:
      if (d2 > 2) throw new PtzError('scan sub-command must be 0..2');
      return { kind: 'scan', action: (['start', 'left', 'right'] as const)[d2], group: d1 };
    case 0x8a:
      return { kind: 'scan', action: 'speed', group: d1, speed: d2 | (hi << 8) };
    case 0x8c: case 0x8d:
      return { kind: 'aux', action: c === 0x8c ? 'on' : 'off', aux: d1 };
    default:
      throw new PtzError(`unknown PTZ command byte 0x${c.toString(16)}`);
  }
}

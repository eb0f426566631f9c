// The device key of a camera row (R-DIS-2: a camera added twice is one camera for the PTZ lock) is
// worked out once per row and kept while the row's stream inputs are unchanged; any edit of the
// stream or of the sealed network config derives it again, so a re-pointed row never keeps the
// identity of the device it used to reach.
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { deviceKey } from '../../src/duty/camera-twins.ts';
import { sealNetwork } from '../../src/org/network-config.ts';
import type { CameraRow } from '../../src/store/repos/camera-repo.ts';

function row(box: SecretBox, id: number, mainStream: string, host: string): CameraRow {
  return { id, source_kind: 'rtsp', main_stream: mainStream, sub_stream: '', network_enc: sealNetwork(box, { host, port: 554, username: 'u', password: 'p' }).network_enc } as CameraRow;
}

describe('deviceKey cache (R-DIS-2)', () => {
  it('decrypts a row once while it is unchanged, and again after its stream or network config changes', () => {
    const box = new SecretBox(randomBytes(32));
    const opens = vi.spyOn(box, 'open');
    const a = row(box, 7, '/Streaming/Channels/101', 'Cam-A.local');
    expect(deviceKey(a, box)).toBe('rtsp://cam-a.local:554/Streaming/Channels/101');
    expect(deviceKey(a, box)).toBe('rtsp://cam-a.local:554/Streaming/Channels/101');
    expect(opens).toHaveBeenCalledTimes(1);

    // Same row id, another path: a new identity.
    const moved = { ...a, main_stream: '/Streaming/Channels/201' };
    expect(deviceKey(moved, box)).toBe('rtsp://cam-a.local:554/Streaming/Channels/201');
    // Same row id and path, the network config re-pointed to another host.
    const rehosted = row(box, 7, '/Streaming/Channels/201', '10.0.0.9');
    expect(deviceKey(rehosted, box)).toBe('rtsp://10.0.0.9:554/Streaming/Channels/201');
    expect(opens).toHaveBeenCalledTimes(3);

    // Another box (another node in the same process, as in the tests) never shares entries.
    const other = new SecretBox(randomBytes(32));
    const b = row(other, 7, '/x', 'h');
    expect(deviceKey(b, other)).toBe('rtsp://h:554/x');
  });
});

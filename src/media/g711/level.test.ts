// R-PRE-3 (sound checked before the exam): the G.711 level computed here must read what ffmpeg's
// volumedetect reads on the same bytes (the readiness thresholds were set against volumedetect).
// Real ffmpeg makes the G.711 bytes (a tone at three levels, and digital silence) and measures them.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeG711, g711Level } from './level.ts';
import type { G711Law } from './level.ts';

const FORMAT: Record<G711Law, string> = { pcma: 'alaw', pcmu: 'mulaw' };

function encoded(law: G711Law, source: string): Buffer {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', source, '-t', '2', '-ar', '8000', '-ac', '1', '-f', FORMAT[law], 'pipe:1'], { maxBuffer: 1 << 22 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout;
}

function volumedetect(law: G711Law, bytes: Buffer): { meanDb: number; maxDb: number } {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'info', '-f', FORMAT[law], '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-af', 'volumedetect', '-f', 'null', '-'], { input: bytes });
  const err = r.stderr.toString();
  const read = (name: string) => {
    const m = new RegExp(`${name}:\\s*(-?[\\d.]+|-inf) dB`).exec(err);
    if (!m) throw new Error(`no ${name} in:\n${err}`);
    return m[1] === '-inf' ? -91 : Number(m[1]);
  };
  return { meanDb: read('mean_volume'), maxDb: read('max_volume') };
}

describe('G.711 level without ffmpeg (R-PRE-3)', () => {
  for (const law of ['pcma', 'pcmu'] as const) {
    for (const [what, source] of [
      ['loud tone', 'sine=frequency=1000:sample_rate=8000,volume=0.9'],
      ['room-level tone', 'sine=frequency=440:sample_rate=8000,volume=0.05'],
      ['very quiet tone', 'sine=frequency=300:sample_rate=8000,volume=0.002'],
      ['digital silence', 'anullsrc=r=8000:cl=mono'],
    ] as const) {
      it(`${law} ${what}: mean and peak within 0.1 dB of ffmpeg volumedetect`, () => {
        const bytes = encoded(law, source);
        // Split into 20 ms RTP-sized frames, as the prober holds them.
        const frames: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += 160) frames.push(bytes.subarray(i, i + 160));
        const ours = g711Level(law, frames)!;
        const peer = volumedetect(law, bytes);
        expect(Math.abs(ours.meanDb - peer.meanDb), `${JSON.stringify(ours)} vs ${JSON.stringify(peer)}`).toBeLessThanOrEqual(0.1);
        expect(Math.abs(ours.maxDb - peer.maxDb), `${JSON.stringify(ours)} vs ${JSON.stringify(peer)}`).toBeLessThanOrEqual(0.1);
      });
    }
  }

  it('decodes the G.711 extremes to the 16-bit values of the standard tables', () => {
    // A-law 0xD5 / 0x55 are the smallest positive / negative steps (±8); 0xAA / 0x2A the largest (±32256).
    expect([...decodeG711('pcma', Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a]))]).toEqual([8, -8, 32256, -32256]);
    // μ-law 0xFF / 0x7F are zero; 0x80 / 0x00 the largest (±32124).
    expect([...decodeG711('pcmu', Uint8Array.from([0xff, 0x7f, 0x80, 0x00]))]).toEqual([0, 0, 32124, -32124]);
  });

  it('has no level for no samples', () => {
    expect(g711Level('pcma', [])).toBeUndefined();
    expect(g711Level('pcmu', [new Uint8Array(0)])).toBeUndefined();
  });
});

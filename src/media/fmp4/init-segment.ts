// fMP4 initialization segment (ISO/IEC 14496-12): ftyp + moov with one trak per stream
// and mvex/trex so all samples live in movie fragments. Track IDs are fixed so fragments
// can be built without the init segment at hand.

import type { AudioParams, VideoParams } from '../types.ts';
import { BoxWriter } from './box-writer.ts';
import { writeAudioSampleEntry, writeVideoSampleEntry } from './sample-entries.ts';

export const VIDEO_TRACK_ID = 1;
export const AUDIO_TRACK_ID = 2;

export interface InitSegmentOptions {
  video?: VideoParams;
  audio?: AudioParams;
  /** Video track timescale in Hz; 90000 keeps RTP ticks unchanged. */
  timescaleVideo?: number;
}

const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export function buildInitSegment(opts: InitSegmentOptions): Uint8Array {
  const { video, audio } = opts;
  if (!video && !audio) throw new Error('init segment needs a video or an audio track');
  const timescaleVideo = opts.timescaleVideo ?? 90000;
  const w = new BoxWriter(2048);
  w.box('ftyp', (b) => {
    b.fourcc('iso5').u32(512);
    for (const brand of ['iso5', 'iso6', 'mp41']) b.fourcc(brand);
    if (video) b.fourcc(video.codec === 'h265' ? 'hvc1' : 'avc1');
  });
  w.box('moov', (moov) => {
    moov.fullBox('mvhd', 0, 0, (b) => {
      b.u32(0).u32(0).u32(1000).u32(0); // creation, modification, timescale (ms), duration unknown
      b.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
      for (const m of UNITY_MATRIX) b.u32(m);
      b.zeros(24); // pre_defined
      b.u32(AUDIO_TRACK_ID + 1); // next_track_ID
    });
    if (video) {
      writeTrak(moov, VIDEO_TRACK_ID, timescaleVideo, video.width, video.height, 'vide', (b) =>
        writeVideoSampleEntry(b, video),
      );
    }
    if (audio) {
      writeTrak(moov, AUDIO_TRACK_ID, audio.sampleRate, 0, 0, 'soun', (b) => writeAudioSampleEntry(b, audio));
    }
    moov.box('mvex', (mvex) => {
      for (const id of [video ? VIDEO_TRACK_ID : 0, audio ? AUDIO_TRACK_ID : 0]) {
        if (id === 0) continue;
        // trex: sample description 1; durations/sizes/flags are always given in trun.
        mvex.fullBox('trex', 0, 0, (b) => b.u32(id).u32(1).u32(0).u32(0).u32(0));
      }
    });
  });
  return w.toBytes();
}

function writeTrak(
  moov: BoxWriter,
  trackId: number,
  timescale: number,
  width: number,
  height: number,
  handler: 'vide' | 'soun',
  writeEntry: (w: BoxWriter) => void,
): void {
  moov.box('trak', (trak) => {
    trak.fullBox('tkhd', 0, 0x3, (b) => {
      // flags: track_enabled | track_in_movie
      b.u32(0).u32(0).u32(trackId).u32(0).u32(0); // creation, modification, id, reserved, duration
      b.zeros(8).u16(0).u16(0); // reserved, layer, alternate_group
      b.u16(handler === 'soun' ? 0x0100 : 0).u16(0); // volume, reserved
      for (const m of UNITY_MATRIX) b.u32(m);
      b.u32(width * 0x10000).u32(height * 0x10000); // 16.16 fixed point
    });
    trak.box('mdia', (mdia) => {
      mdia.fullBox('mdhd', 0, 0, (b) => {
        b.u32(0).u32(0).u32(timescale).u32(0);
        b.u16(0x55c4).u16(0); // language 'und', pre_defined
      });
      mdia.fullBox('hdlr', 0, 0, (b) => {
        b.u32(0).fourcc(handler).zeros(12);
        b.bytes(new TextEncoder().encode(handler === 'vide' ? 'VideoHandler\0' : 'SoundHandler\0'));
      });
      mdia.box('minf', (minf) => {
        if (handler === 'vide') minf.fullBox('vmhd', 0, 1, (b) => b.u16(0).zeros(6));
        else minf.fullBox('smhd', 0, 0, (b) => b.u16(0).u16(0));
        minf.box('dinf', (dinf) =>
          dinf.fullBox('dref', 0, 0, (b) => {
            b.u32(1);
            b.fullBox('url ', 0, 1, () => {}); // flag 1: media is in this file
          }),
        );
        minf.box('stbl', (stbl) => {
          stbl.fullBox('stsd', 0, 0, (b) => {
            b.u32(1);
            writeEntry(b);
          });
          // Empty sample tables: every sample is described by the fragments.
          stbl.fullBox('stts', 0, 0, (b) => b.u32(0));
          stbl.fullBox('stsc', 0, 0, (b) => b.u32(0));
          stbl.fullBox('stsz', 0, 0, (b) => b.u32(0).u32(0));
          stbl.fullBox('stco', 0, 0, (b) => b.u32(0));
        });
      });
    });
  });
}

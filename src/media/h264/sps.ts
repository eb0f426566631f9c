// H.264 sequence parameter set parser (ITU-T H.264 7.3.2.1.1 and Annex E VUI), enough to
// learn resolution (with cropping), frame rate and the fields the avcC record needs.
// Throws only BitstreamError.

import { BitReader, BitstreamError } from './bit-reader.ts';
import { removeEmulationPrevention } from './rbsp.ts';

export interface H264Sps {
  profileIdc: number;
  /** constraint_set0..5 flags + reserved bits: the middle byte of avc1.PPCCLL. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  frameMbsOnly: boolean;
  /** Displayed size after frame cropping. */
  width: number;
  height: number;
  /** From VUI timing: time_scale / (2 * num_units_in_tick). */
  fps?: number;
  sarWidth?: number;
  sarHeight?: number;
}

// Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices.
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

// Table E-1 sample aspect ratios, index = aspect_ratio_idc.
const SAR_TABLE: ReadonlyArray<readonly [number, number]> = [
  [0, 0], [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11],
  [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];

/** Upper bound on picture size in macroblocks per side: 8192 px, far above any camera. */
const MAX_MBS = 512;

export function parseH264Sps(nal: Uint8Array): H264Sps {
  if (nal.length < 4) throw new BitstreamError('SPS too short');
  if ((nal[0] & 0x1f) !== 7) throw new BitstreamError(`not an SPS (nal type ${nal[0] & 0x1f})`);
  const r = new BitReader(removeEmulationPrevention(nal));
  r.skipBits(8); // NAL header
  const profileIdc = r.readBits(8);
  const constraintFlags = r.readBits(8);
  const levelIdc = r.readBits(8);
  const spsId = r.readUEMax(31, 'seq_parameter_set_id');

  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.readUEMax(3, 'chroma_format_idc');
    if (chromaFormatIdc === 3) separateColourPlane = r.readFlag();
    bitDepthLuma = 8 + r.readUEMax(6, 'bit_depth_luma_minus8');
    bitDepthChroma = 8 + r.readUEMax(6, 'bit_depth_chroma_minus8');
    r.skipBits(1); // qpprime_y_zero_transform_bypass_flag
    if (r.readFlag()) {
      // seq_scaling_matrix_present_flag: lists must be walked to reach the fields after them.
      const count = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < count; i++) {
        if (r.readFlag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }

  r.readUEMax(12, 'log2_max_frame_num_minus4');
  const pocType = r.readUEMax(2, 'pic_order_cnt_type');
  if (pocType === 0) {
    r.readUEMax(12, 'log2_max_pic_order_cnt_lsb_minus4');
  } else if (pocType === 1) {
    r.skipBits(1); // delta_pic_order_always_zero_flag
    r.readSE(); // offset_for_non_ref_pic
    r.readSE(); // offset_for_top_to_bottom_field
    const cycle = r.readUEMax(255, 'num_ref_frames_in_pic_order_cnt_cycle');
    for (let i = 0; i < cycle; i++) r.readSE();
  }
  r.readUE(); // max_num_ref_frames
  r.skipBits(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.readUEMax(MAX_MBS - 1, 'pic_width_in_mbs_minus1') + 1;
  const heightMapUnits = r.readUEMax(MAX_MBS - 1, 'pic_height_in_map_units_minus1') + 1;
  const frameMbsOnly = r.readFlag();
  if (!frameMbsOnly) r.skipBits(1); // mb_adaptive_frame_field_flag
  r.skipBits(1); // direct_8x8_inference_flag

  let width = widthMbs * 16;
  let height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
  if (r.readFlag()) {
    // frame_cropping_flag: offsets are in chroma sample units (7.4.2.1.1, CropUnitX/Y).
    const left = r.readUE();
    const right = r.readUE();
    const top = r.readUE();
    const bottom = r.readUE();
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
    const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
    width -= cropUnitX * (left + right);
    height -= cropUnitY * (top + bottom);
    if (width <= 0 || height <= 0) throw new BitstreamError('cropping removes the whole picture');
  }

  const sps: H264Sps = {
    profileIdc, constraintFlags, levelIdc, spsId, chromaFormatIdc,
    bitDepthLuma, bitDepthChroma, frameMbsOnly, width, height,
  };
  if (r.readFlag()) parseVui(r, sps);
  return sps;
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.readSE();
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

// VUI up to timing_info (E.1.1); HRD and later fields are not needed.
function parseVui(r: BitReader, sps: H264Sps): void {
  if (r.readFlag()) {
    const idc = r.readBits(8);
    if (idc === 255) {
      sps.sarWidth = r.readBits(16);
      sps.sarHeight = r.readBits(16);
    } else if (idc > 0 && idc < SAR_TABLE.length) {
      [sps.sarWidth, sps.sarHeight] = SAR_TABLE[idc];
    }
  }
  if (r.readFlag()) r.skipBits(1); // overscan_info_present -> overscan_appropriate
  if (r.readFlag()) {
    r.skipBits(4); // video_format, video_full_range_flag
    if (r.readFlag()) r.skipBits(24); // colour_primaries, transfer, matrix
  }
  if (r.readFlag()) {
    r.readUE(); // chroma_sample_loc_type_top_field
    r.readUE(); // chroma_sample_loc_type_bottom_field
  }
  if (r.readFlag()) {
    const numUnitsInTick = r.readBits(32);
    const timeScale = r.readBits(32);
    // One frame = two ticks (field-based clock, E.2.1).
    if (numUnitsInTick > 0 && timeScale > 0) sps.fps = roundFps(timeScale / (2 * numUnitsInTick));
  }
}

/** Rounds to 3 decimals so 30000/1001 reads 29.97 rather than 29.97002997. */
export function roundFps(fps: number): number {
  return Math.round(fps * 1000) / 1000;
}

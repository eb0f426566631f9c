// H.265 sequence parameter set parser (H.265 7.3.2.2 + E.2.1 VUI up to timing info): size
// with conformance window, profile/tier/level, chroma and bit depth for hvcC, and fps.
// Walking to the VUI requires skipping scaling lists and short-term RPS sets. Throws only
// BitstreamError.

import { BitReader, BitstreamError } from '../h264/bit-reader.ts';
import { removeEmulationPrevention } from '../h264/rbsp.ts';
import { roundFps } from '../h264/sps.ts';
import type { H265ProfileTierLevel } from './profile-tier-level.ts';
import { parseProfileTierLevel } from './profile-tier-level.ts';

export interface H265Sps {
  ptl: H265ProfileTierLevel;
  maxSubLayersMinus1: number;
  temporalIdNesting: boolean;
  spsId: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Displayed size after the conformance window. */
  width: number;
  height: number;
  /** From VUI timing: time_scale / num_units_in_tick. */
  fps?: number;
}

const MAX_DIMENSION = 16384;

export function parseH265Sps(nal: Uint8Array): H265Sps {
  if (nal.length < 3) throw new BitstreamError('SPS too short');
  if (((nal[0] >> 1) & 0x3f) !== 33) throw new BitstreamError(`not an SPS (nal type ${(nal[0] >> 1) & 0x3f})`);
  const r = new BitReader(removeEmulationPrevention(nal));
  r.skipBits(16); // NAL header
  r.skipBits(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.readBits(3);
  if (maxSubLayersMinus1 > 6) throw new BitstreamError('sps_max_sub_layers_minus1 > 6');
  const temporalIdNesting = r.readFlag();
  const ptl = parseProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.readUEMax(15, 'sps_seq_parameter_set_id');
  const chromaFormatIdc = r.readUEMax(3, 'chroma_format_idc');
  let separateColourPlane = false;
  if (chromaFormatIdc === 3) separateColourPlane = r.readFlag();
  let width = r.readUEMax(MAX_DIMENSION, 'pic_width_in_luma_samples');
  let height = r.readUEMax(MAX_DIMENSION, 'pic_height_in_luma_samples');
  if (r.readFlag()) {
    // conformance_window offsets are in chroma units (7.4.3.2.1, SubWidthC/SubHeightC).
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const left = r.readUE();
    const right = r.readUE();
    const top = r.readUE();
    const bottom = r.readUE();
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  if (width <= 0 || height <= 0) throw new BitstreamError('empty picture size');
  const bitDepthLuma = 8 + r.readUEMax(8, 'bit_depth_luma_minus8');
  const bitDepthChroma = 8 + r.readUEMax(8, 'bit_depth_chroma_minus8');
  const log2MaxPocLsb = 4 + r.readUEMax(12, 'log2_max_pic_order_cnt_lsb_minus4');
  const orderingInfoPresent = r.readFlag();
  for (let i = orderingInfoPresent ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.readUE(); // sps_max_dec_pic_buffering_minus1
    r.readUE(); // sps_max_num_reorder_pics
    r.readUE(); // sps_max_latency_increase_plus1
  }
  r.readUE(); // log2_min_luma_coding_block_size_minus3
  r.readUE(); // log2_diff_max_min_luma_coding_block_size
  r.readUE(); // log2_min_luma_transform_block_size_minus2
  r.readUE(); // log2_diff_max_min_luma_transform_block_size
  r.readUE(); // max_transform_hierarchy_depth_inter
  r.readUE(); // max_transform_hierarchy_depth_intra
  if (r.readFlag() && r.readFlag()) skipScalingListData(r); // scaling_list_enabled, sps_..._data_present
  r.skipBits(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.readFlag()) {
    // pcm_enabled_flag
    r.skipBits(8); // pcm sample bit depths
    r.readUE();
    r.readUE();
    r.skipBits(1);
  }
  skipShortTermRefPicSets(r);
  if (r.readFlag()) {
    // long_term_ref_pics_present_flag
    const n = r.readUEMax(32, 'num_long_term_ref_pics_sps');
    for (let i = 0; i < n; i++) r.skipBits(log2MaxPocLsb + 1);
  }
  r.skipBits(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  const sps: H265Sps = {
    ptl, maxSubLayersMinus1, temporalIdNesting, spsId, chromaFormatIdc,
    bitDepthLuma, bitDepthChroma, width, height,
  };
  if (r.readFlag()) sps.fps = parseVuiFps(r);
  return sps;
}

function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.readFlag()) {
        r.readUE(); // scaling_list_pred_matrix_id_delta
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.readSE(); // scaling_list_dc_coef_minus8
        for (let i = 0; i < coefNum; i++) r.readSE();
      }
    }
  }
}

// st_ref_pic_set() for every set in the SPS (7.3.7). Inter-RPS prediction refers to the
// previous set's delta count, so the counts are tracked.
function skipShortTermRefPicSets(r: BitReader): void {
  const count = r.readUEMax(64, 'num_short_term_ref_pic_sets');
  const numDeltaPocs: number[] = [];
  for (let idx = 0; idx < count; idx++) {
    const interPredicted = idx !== 0 && r.readFlag();
    if (interPredicted) {
      r.skipBits(1); // delta_rps_sign
      r.readUE(); // abs_delta_rps_minus1
      const refCount = numDeltaPocs[idx - 1]; // delta_idx_minus1 is only coded in slice headers
      let n = 0;
      for (let j = 0; j <= refCount; j++) {
        const used = r.readFlag();
        const useDelta = used || r.readFlag();
        if (useDelta) n++;
      }
      numDeltaPocs.push(n);
    } else {
      const neg = r.readUEMax(16, 'num_negative_pics');
      const pos = r.readUEMax(16, 'num_positive_pics');
      for (let i = 0; i < neg + pos; i++) {
        r.readUE(); // delta_poc_sX_minus1
        r.skipBits(1); // used_by_curr_pic_sX_flag
      }
      numDeltaPocs.push(neg + pos);
    }
  }
}

function parseVuiFps(r: BitReader): number | undefined {
  if (r.readFlag()) {
    if (r.readBits(8) === 255) r.skipBits(32); // aspect_ratio_idc == EXTENDED_SAR
  }
  if (r.readFlag()) r.skipBits(1); // overscan
  if (r.readFlag()) {
    r.skipBits(4); // video_format, full_range
    if (r.readFlag()) r.skipBits(24); // colour description
  }
  if (r.readFlag()) {
    r.readUE();
    r.readUE(); // chroma sample locations
  }
  r.skipBits(3); // neutral_chroma_indication, field_seq, frame_field_info_present
  if (r.readFlag()) {
    r.readUE();
    r.readUE();
    r.readUE();
    r.readUE(); // default display window
  }
  if (!r.readFlag()) return undefined; // vui_timing_info_present_flag
  const numUnitsInTick = r.readBits(32);
  const timeScale = r.readBits(32);
  return numUnitsInTick > 0 && timeScale > 0 ? roundFps(timeScale / numUnitsInTick) : undefined;
}

// Reads the 16-bit frame code drawn by scripts/make-clips.sh: a row of 16 square blocks at the
// top-left of the picture, each width/32 pixels wide and high, most significant bit first, white = 1.

export const FRAME_CODE_BITS = 16;

/**
 * Decodes the frame number (within the clip) from a decoded 8-bit gray picture (row-major,
 * `width * height` bytes, e.g. from `ffmpeg -pix_fmt gray -f rawvideo`).
 * Samples the centre half of each block; returns -1 when a block is neither clearly dark nor
 * clearly bright (no code in this picture, or the picture is too damaged to trust).
 */
export function readFrameCode(grayPixels: Uint8Array, width: number, height: number): number {
  const block = Math.floor(width / 32);
  if (block < 4 || height < block || grayPixels.length < width * height) return -1;
  const x0Off = Math.floor(block / 4);
  const x1Off = Math.ceil((block * 3) / 4);
  let value = 0;
  for (let i = 0; i < FRAME_CODE_BITS; i++) {
    let sum = 0;
    let n = 0;
    for (let y = x0Off; y < x1Off; y++) {
      const row = y * width + i * block;
      for (let x = x0Off; x < x1Off; x++) {
        sum += grayPixels[row + x];
        n++;
      }
    }
    const mean = sum / n;
    if (mean > 64 && mean < 192) return -1;
    value = value * 2 + (mean >= 128 ? 1 : 0);
  }
  return value;
}

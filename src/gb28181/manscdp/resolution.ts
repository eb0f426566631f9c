// Resolutions as GB/T 28181 writes them (Annex F, the SDP f field; the 2022 catalog's Info
// Resolution and our DeviceInfo use the same codes): 1 QCIF, 2 CIF, 3 4CIF, 4 D1, 5 720P,
// 6 1080P/I. A frame size maps to the largest format it covers; above 1080P the annex has no
// code, so 6 (2560×1440 is reported as 6).
const FORMATS: ReadonlyArray<readonly [code: number, width: number, height: number]> = [
  [6, 1920, 1080], [5, 1280, 720], [4, 720, 576], [3, 704, 576], [2, 352, 288], [1, 176, 144],
];

/** The Annex F code of a frame size, or undefined below QCIF. Portrait frames are measured turned. */
export function resolutionCode(width: number, height: number): number | undefined {
  const [w, h] = width >= height ? [width, height] : [height, width];
  return FORMATS.find(([, fw, fh]) => w >= fw && h >= fh)?.[0];
}

// A sine tone as G.711 (what the back-channel tests send) and its frequency read back from
// decoded samples (what the camera simulator reports), so a test can prove that audio crossed
// every hop intact: a wrong law, lost packets or byte damage change the level or the pitch.

/** Linear samples of a sine at `frequencyHz`, peak `peakDbfs` below full scale, starting at sample `offset`. */
export function toneSamples(frequencyHz: number, peakDbfs: number, count: number, sampleRate = 8000, offset = 0): Int16Array {
  const amplitude = 0x8000 * 10 ** (peakDbfs / 20);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * (offset + i)) / sampleRate));
  return out;
}

/**
 * Dominant frequency of a tone, from its rising zero crossings interpolated between samples (the
 * first and last crossing bound a whole number of periods). Undefined when there are fewer than
 * two crossings (silence or a signal below `minPeak`, where quantisation noise would cross zero).
 */
export function toneFrequencyHz(samples: ArrayLike<number>, sampleRate = 8000, minPeak = 64): number | undefined {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak < minPeak) return undefined;
  // Hysteresis: a crossing counts only after the signal went below −threshold, so noise near zero
  // on a quiet tone is not read as extra periods.
  const threshold = peak / 4;
  let armed = false;
  let first: number | undefined;
  let last = 0;
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (b < -threshold) armed = true;
    if (armed && a < 0 && b >= 0) {
      const at = i - 1 + -a / (b - a);
      if (first === undefined) first = at;
      else crossings++;
      last = at;
      armed = false;
    }
  }
  if (first === undefined || crossings === 0) return undefined;
  return (crossings * sampleRate) / (last - first);
}

// Form rule for a Beijing wall-clock time typed as `YYYY-MM-DD HH:mm[:ss]` (the console shows and
// takes times in Beijing time whatever the browser's zone is).
import { beijingWallToMs } from '../../time.ts';
import type { DutyText } from './dutyText.ts';

export const wallRule = (t: DutyText) => ({
  validator: (_: unknown, v: string | undefined) => (v && Number.isFinite(beijingWallToMs(v)) ? Promise.resolve() : Promise.reject(new Error(t('wallFormat')))),
});

// Allocates and checks GB/T 28181 codes for new objects (generated when not given, validated
// when given).
import type { Repos } from '../store/repos/index.ts';
import { AppError } from '../util/errors.ts';
import { INDUSTRY_EDUCATION, buildGbCode, validateGbCode } from './gb-code.ts';

export async function allocateGbCode(r: Repos, regionCode: string, typeCode: string): Promise<string> {
  const prefix = `${regionCode}00${INDUSTRY_EDUCATION}${typeCode}`;
  const max = await r.org.maxGbCode(prefix);
  const next = max ? Number(max.slice(13)) + 1 : 1;
  return buildGbCode(regionCode, typeCode, next);
}

/** Returns the code to use: the given one after validation and a uniqueness check, or a new one. */
export async function resolveGbCode(r: Repos, given: string | undefined, regionCode: string, types: readonly string[]): Promise<string> {
  if (given === undefined || given === '') return allocateGbCode(r, regionCode, types[0]);
  const problem = validateGbCode(given, types);
  if (problem) throw new AppError('invalid_input', problem, { field: 'gbCode' });
  // Taken (possibly in another district): answered like any invalid code, so that the answer does
  // not say that an object with this code exists somewhere (issue 13, existence oracle).
  if (await r.org.gbCodeTaken(given)) throw new AppError('invalid_input', `国标编码 ${given} 不可用：请换一个编码或留空自动生成 (GB code not usable here: choose another or leave empty)`, { field: 'gbCode' });
  return given;
}

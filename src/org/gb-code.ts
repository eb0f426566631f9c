// GB/T 28181-2016 Annex D 20-digit codes: centre code (6-digit administrative region per
// GB/T 2260 + 2-digit grass-roots unit) + 2-digit industry (11 = education) + 3-digit type
// + 1-digit network flag and 6-digit serial (kept together here as a 7-digit serial).
export const INDUSTRY_EDUCATION = '11';

/** Type codes (GB/T 28181-2016 Annex D). */
export const GB_TYPE = {
  dvr: '111',
  nvr: '118',
  cameraFixed: '131',
  cameraPtz: '132',
  sipServer: '200',
  centerPlatform: '201',
  businessGroup: '215',
  virtualOrg: '216',
} as const;

export interface GbCodeParts {
  regionCode: string;
  unit: string;
  industry: string;
  typeCode: string;
  serial: string;
}

const CODE_RE = /^\d{20}$/;

export function parseGbCode(code: string): GbCodeParts | undefined {
  if (!CODE_RE.test(code)) return undefined;
  return {
    regionCode: code.slice(0, 6),
    unit: code.slice(6, 8),
    industry: code.slice(8, 10),
    typeCode: code.slice(10, 13),
    serial: code.slice(13),
  };
}

/** Returns a reason why `code` is not acceptable for an object of `expectedTypes`, or undefined. */
export function validateGbCode(code: string, expectedTypes: readonly string[]): string | undefined {
  const parts = parseGbCode(code);
  if (!parts) return '国标编码必须是20位数字 (GB/T 28181 code must be 20 digits)';
  if (!/^[1-8]\d{5}$/.test(parts.regionCode)) return `行政区划代码 ${parts.regionCode} 无效 (invalid region code)`;
  if (!expectedTypes.includes(parts.typeCode))
    return `类型码 ${parts.typeCode} 不符，应为 ${expectedTypes.join('/')} (type code must be one of ${expectedTypes.join('/')})`;
  return undefined;
}

export function validateRegionCode(code: string): string | undefined {
  return /^[1-8]\d{5}$/.test(code) ? undefined : `行政区划代码必须是6位数字 (region code must be 6 digits): ${code}`;
}

export function buildGbCode(regionCode: string, typeCode: string, serial: number, unit = '00'): string {
  if (serial < 0 || serial > 9_999_999) throw new Error('serial out of range');
  return `${regionCode}${unit}${INDUSTRY_EDUCATION}${typeCode}${String(serial).padStart(7, '0')}`;
}

// Names people type (org nodes, rooms, cameras, users, tours, exams): printable text only (issue
// 13). NUL, control characters, newlines, bidirectional overrides/isolates (which make
// "abc\u202Efdp.exe" read as "abcexe.pdf" in the audit log and exports) and lone surrogates are refused.
import { z } from 'zod';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a name is refused (Chinese first), or undefined when it is acceptable. */
export function nameProblem(name: string): string | undefined {
  if (FORBIDDEN.test(name)) return '名称不能包含控制字符、换行或文字方向控制符 (no control characters, newlines or bidi overrides)';
  if (LONE_SURROGATE.test(name)) return '名称包含无效字符 (invalid character: lone surrogate)';
  return undefined;
}

/** The zod schema of a typed name (trimmed, 1..max characters, printable). */
export function nameSchema(max: number) {
  return z
    .string()
    .trim()
    .min(1, '不能为空 (required)')
    .max(max)
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

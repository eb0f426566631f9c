// The server writes its reasons and refusals "中文 (English)" — one string that the log, the
// uplink to the province and API clients all carry whole. The console in Chinese shows the Chinese
// part only: an English tail in a narrow table column doubled its height and read as unfinished.
// In English the whole string stays (its Chinese part carries the counts the tail leaves out).
import type { Lang } from './i18n.ts';

/** A trailing "(…)" with Latin letters and no CJK, after a part that has CJK. */
const ENGLISH_TAIL = /^(.*[\u4e00-\u9fa5][^()]*?)\s*\(([^()\u4e00-\u9fa5]*[A-Za-z][^()\u4e00-\u9fa5]*)\)\s*$/s;

/** One server text as the reader's language shows it. */
export function serverText(text: string, lang: Lang): string {
  if (lang === 'en') return text;
  return text
    .split('；')
    .map((part) => ENGLISH_TAIL.exec(part)?.[1] ?? part)
    .join('；');
}

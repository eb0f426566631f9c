// The export package's download format (issue 14 item 7): .zip (Windows opens it as is) or .tar;
// the choice is remembered in this browser. Both unpack to the same folder that verify-export checks.
export type ExportFormat = 'zip' | 'tar';
const KEY = 'xuncha.exportFormat';

export function savedExportFormat(): ExportFormat {
  try {
    return localStorage.getItem(KEY) === 'tar' ? 'tar' : 'zip';
  } catch {
    return 'zip';
  }
}

export function saveExportFormat(f: ExportFormat): void {
  try {
    localStorage.setItem(KEY, f);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

/** The download URL the server gave, with the format added. */
export function withFormat(url: string, f: ExportFormat): string {
  return `${url}${url.includes('?') ? '&' : '?'}format=${f}`;
}

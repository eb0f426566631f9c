// Heavy libraries loaded when first used, not at start-up. exceljs (~0.6 s), pdfkit (~0.4 s),
// werift (~0.55 s) and the AWS SDK (~0.3 s) are needed only when a spreadsheet or PDF is made, a
// WebRTC session opens or an S3 backup runs; importing them with the app cost every process — the
// node, each CLI command, each test file — about 1.8 s before it did anything.
import type ExcelJSModule from 'exceljs';
import type PDFKitModule from 'pdfkit';
import type * as S3Module from '@aws-sdk/client-s3';
import type * as WeriftModule from 'werift';

let excel: Promise<typeof ExcelJSModule> | undefined;
let pdfKit: Promise<typeof PDFKitModule> | undefined;

/** The exceljs module (its `Workbook` constructor and friends). */
export function loadExcelJS(): Promise<typeof ExcelJSModule> {
  excel ??= import('exceljs').then((m) => m.default);
  return excel;
}

/** pdfkit's PDFDocument constructor. */
export function loadPdfKit(): Promise<typeof PDFKitModule> {
  pdfKit ??= import('pdfkit').then((m) => m.default);
  return pdfKit;
}

let werift: Promise<typeof WeriftModule> | undefined;

/** werift (WebRTC), for the first WebRTC live session. */
export function loadWerift(): Promise<typeof WeriftModule> {
  werift ??= import('werift');
  return werift;
}

let s3: Promise<typeof S3Module> | undefined;

/** The AWS S3 client, for the first off-site backup to an S3 target. */
export function loadS3(): Promise<typeof S3Module> {
  s3 ??= import('@aws-sdk/client-s3');
  return s3;
}

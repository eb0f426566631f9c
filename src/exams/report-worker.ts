// Runs in a worker thread (issue 13 item 9): renders one report as .pdf or .xlsx so that the event
// loop keeps answering while pdfkit/exceljs work. Input and output through workerData/postMessage.
import { parentPort, workerData } from 'node:worker_threads';
import { reportPdf } from './report-pdf.ts';
import { reportXlsx } from './report-xlsx.ts';
import type { RenderJob } from './report-render.ts';

const job = workerData as RenderJob;
try {
  const out = job.kind === 'pdf' ? await reportPdf(job.report, job.font) : await reportXlsx(job.report);
  const copy = new Uint8Array(out.byteLength);
  copy.set(out);
  parentPort?.postMessage({ ok: true, bytes: copy }, [copy.buffer]);
} catch (err) {
  parentPort?.postMessage({ ok: false, message: (err as Error).message, code: (err as { code?: unknown }).code ?? null });
}

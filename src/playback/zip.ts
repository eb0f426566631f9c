// A stored (no compression) ZIP archive streamed from files on disk: the export package for
// Windows users, who open .zip without extra tools (issue 14 item 7). Video is already compressed,
// so deflate would cost CPU for nothing. Each file's CRC-32 is computed in a first read, so that
// the local headers carry the sizes (no data descriptors: every reader, Explorer included, copes).
// No ZIP64: an archive that would pass 4 GiB is refused up front (the .tar has no such limit).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

const LIMIT_BYTES = 0xffff_ffff;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_FLAG = 0x0800;

interface Entry {
  name: Buffer;
  abs: string;
  size: number;
  crc: number;
  dosTime: number;
  dosDate: number;
  offset: number;
}

/** MS-DOS date and time fields (local time of the archive is not known: the file's UTC time). */
function dosDateTime(ms: number): { dosTime: number; dosDate: number } {
  const d = new Date(ms);
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    dosTime: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

async function crcOf(abs: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(abs)) crc = crc32(chunk as Buffer, crc);
  return crc >>> 0;
}

function localHeader(e: Entry): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4); // version needed: 2.0
  h.writeUInt16LE(UTF8_FLAG, 6);
  h.writeUInt16LE(0, 8); // stored
  h.writeUInt16LE(e.dosTime, 10);
  h.writeUInt16LE(e.dosDate, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.size, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, e.name]);
}

function centralHeader(e: Entry): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (keeps the file mode below)
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(UTF8_FLAG, 8);
  h.writeUInt16LE(0, 10);
  h.writeUInt16LE(e.dosTime, 12);
  h.writeUInt16LE(e.dosDate, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.size, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt32LE(((0o100640 << 16) >>> 0), 38); // external attributes: regular file, rw-r-----
  h.writeUInt32LE(e.offset, 42);
  return Buffer.concat([h, e.name]);
}

function endOfCentral(count: number, size: number, offset: number): Buffer {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0);
  h.writeUInt16LE(count, 8);
  h.writeUInt16LE(count, 10);
  h.writeUInt32LE(size, 12);
  h.writeUInt32LE(offset, 16);
  return h;
}

/** Thrown before any byte is sent when the archive would need ZIP64. */
export class ZipTooLarge extends Error {}

/**
 * Plans the archive (sizes, offsets) and returns its stream; files are read twice (CRC, then
 * content). Rejects with ZipTooLarge past 4 GiB or 65535 files.
 */
export async function zipStream(dir: string, names: string[], prefix: string): Promise<Readable> {
  const entries: Entry[] = [];
  let offset = 0;
  for (const name of names) {
    const abs = path.join(dir, name);
    const st = await stat(abs);
    const e: Entry = { name: Buffer.from(`${prefix}/${name}`, 'utf8'), abs, size: st.size, crc: 0, offset, ...dosDateTime(st.mtimeMs) };
    offset += 30 + e.name.length + st.size;
    if (offset > LIMIT_BYTES) throw new ZipTooLarge('导出超过 4 GiB，请下载 .tar (export larger than 4 GiB: download the .tar)');
    if (entries.length >= 0xffff) throw new ZipTooLarge('导出文件超过 65535 个，请下载 .tar (more than 65535 files: download the .tar)');
    entries.push(e);
  }
  const centralSize = entries.reduce((n, e) => n + 46 + e.name.length, 0);
  if (offset + centralSize + 22 > LIMIT_BYTES) throw new ZipTooLarge('导出超过 4 GiB，请下载 .tar (export larger than 4 GiB: download the .tar)');
  async function* gen(): AsyncGenerator<Buffer> {
    for (const e of entries) {
      e.crc = await crcOf(e.abs);
      yield localHeader(e);
      let sent = 0;
      for await (const chunk of createReadStream(e.abs, { end: e.size > 0 ? e.size - 1 : 0 })) {
        const b = chunk as Buffer;
        if (e.size === 0) break;
        sent += b.length;
        yield b;
      }
      if (sent !== e.size) throw new Error(`zip: ${e.abs} changed while being sent`);
    }
    yield Buffer.concat(entries.map(centralHeader));
    yield endOfCentral(entries.length, centralSize, offset);
  }
  return Readable.from(gen());
}

// A ustar archive streamed from files on disk (export downloads), without extra libraries.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

function header(name: string, size: number, mtimeS: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => h.write(s, off, len, 'utf8');
  const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  put(name, 0, 100);
  put(oct(0o640, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(size, 12), 124, 12);
  put(oct(mtimeS, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('xuncha', 265, 32);
  put('xuncha', 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

export function tarStream(dir: string, names: string[], prefix: string): Readable {
  async function* gen(): AsyncGenerator<Buffer> {
    for (const name of names) {
      const abs = path.join(dir, name);
      const st = await stat(abs);
      yield header(`${prefix}/${name}`, st.size, Math.floor(st.mtimeMs / 1000));
      for await (const chunk of createReadStream(abs)) yield chunk as Buffer;
      const pad = (512 - (st.size % 512)) % 512;
      if (pad) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(1024);
  }
  return Readable.from(gen());
}

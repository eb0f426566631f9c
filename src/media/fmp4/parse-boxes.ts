// Tiny ISO BMFF box walker for tests and for repairing recordings cut short by a crash:
// it lists complete boxes and reports where the last complete one ends, so a truncated
// file can be cut back to a playable prefix.

export interface BoxInfo {
  type: string;
  /** Offset of the box header in the buffer. */
  offset: number;
  /** Total box size including the header. */
  size: number;
  headerSize: number;
}

export interface BoxWalk {
  boxes: BoxInfo[];
  /** Offset just past the last complete box (== end for a well-formed buffer). */
  completeEnd: number;
  /** True when trailing bytes do not form a complete box. */
  truncated: boolean;
}

/** Walks boxes in buf[start, end). Never throws; a bad size stops the walk as truncation. */
export function parseBoxes(buf: Uint8Array, start = 0, end = buf.length): BoxWalk {
  const boxes: BoxInfo[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = start;
  while (o < end) {
    if (end - o < 8) break;
    let size = view.getUint32(o);
    let headerSize = 8;
    const type = String.fromCharCode(buf[o + 4], buf[o + 5], buf[o + 6], buf[o + 7]);
    if (size === 1) {
      if (end - o < 16) break;
      size = Number(view.getBigUint64(o + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - o; // box extends to the end of the file
    }
    if (size < headerSize || o + size > end) break;
    boxes.push({ type, offset: o, size, headerSize });
    o += size;
  }
  return { boxes, completeEnd: o, truncated: o < end };
}

/** Children of a container box (moov, trak, moof, traf, ...). */
export function parseChildren(buf: Uint8Array, box: BoxInfo): BoxInfo[] {
  return parseBoxes(buf, box.offset + box.headerSize, box.offset + box.size).boxes;
}

/** Finds a box by path, e.g. ['moov', 'trak', 'mdia', 'hdlr'] (first match at each level). */
export function findBox(buf: Uint8Array, path: readonly string[]): BoxInfo | undefined {
  let level = parseBoxes(buf).boxes;
  let found: BoxInfo | undefined;
  for (const type of path) {
    found = level.find((b) => b.type === type);
    if (!found) return undefined;
    level = parseChildren(buf, found);
  }
  return found;
}

/**
 * End of the playable prefix of an fMP4 recording: after the last mdat that follows its
 * moof (a trailing moof whose mdat is missing or cut is excluded). Returns 0 if the init
 * segment itself is incomplete.
 */
export function playableEnd(walk: BoxWalk): number {
  let end = 0;
  let sawMoov = false;
  for (let i = 0; i < walk.boxes.length; i++) {
    const b = walk.boxes[i];
    if (b.type === 'moov') {
      sawMoov = true;
      end = b.offset + b.size;
    } else if (sawMoov && b.type === 'mdat' && walk.boxes[i - 1]?.type === 'moof') {
      end = b.offset + b.size;
    }
  }
  return end;
}

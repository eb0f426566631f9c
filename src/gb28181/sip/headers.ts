// Ordered, case-insensitive SIP header list (RFC 3261 §7.3). Order matters (Via, Route), so
// this is a list of [name, value] pairs rather than a map; compact forms are expanded on input.

/** RFC 3261 §7.3.3 compact forms, plus the common extension ones (RFC 3265/3515/4028). */
const COMPACT: Record<string, string> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type',
  f: 'From', s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', r: 'Refer-To',
  u: 'Allow-Events', x: 'Session-Expires',
};

/** Canonical spelling for headers whose capitalisation is not plain Title-Case. */
const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'mime-version': 'MIME-Version',
  // GB/T 28181-2022 Annex I spells it so; some peers compare header names case-sensitively.
  'x-gb-ver': 'X-GB-Ver',
};

/**
 * Names already canonicalised (every header of every message goes through here: the regex was a
 * hot spot of `bench:sip`). Bounded: a peer sending ever new names cannot grow it.
 */
const canonicalSeen = new Map<string, string>();
const CANONICAL_SEEN_MAX = 512;

/** Expands compact forms and normalises capitalisation: 'v' → 'Via', 'content-length' → 'Content-Length'. */
export function canonicalHeaderName(name: string): string {
  const seen = canonicalSeen.get(name);
  if (seen !== undefined) return seen;
  const canon = canonicalise(name);
  if (canonicalSeen.size < CANONICAL_SEEN_MAX) canonicalSeen.set(name, canon);
  return canon;
}

function canonicalise(name: string): string {
  const lower = name.toLowerCase();
  const full = COMPACT[lower];
  if (full) return full;
  const special = CANONICAL[lower];
  if (special) return special;
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** Splits a header value on commas outside quotes and <...> (for Via, Route, Contact lists). */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let depthAngle = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depthAngle++;
    else if (ch === '>' && depthAngle > 0) depthAngle--;
    else if (ch === ',' && depthAngle === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out.filter((s) => s !== '');
}

/** Headers that may be comma-combined on one line and are read element by element. */
const LIST_HEADERS = new Set(['Via', 'Route', 'Record-Route']);

/** First element of a list header's line (`splitHeaderList(v)[0]`), without arrays when the line holds one. */
function firstListElement(value: string): string | undefined {
  if (value.indexOf(',') < 0) {
    const one = value.trim();
    return one === '' ? undefined : one;
  }
  return splitHeaderList(value)[0];
}

export class SipHeaders {
  private readonly list: Array<[string, string]> = [];

  constructor(init?: Iterable<readonly [string, string]> | Record<string, string | string[]>) {
    if (!init) return;
    const pairs: Iterable<readonly [string, string | string[]]> = Symbol.iterator in init
      ? (init as Iterable<readonly [string, string]>)
      : Object.entries(init);
    for (const [k, v] of pairs) {
      for (const one of Array.isArray(v) ? v : [v]) this.append(k, one);
    }
  }

  /** First value, or undefined. Via/Route/Record-Route return the first list element. */
  get(name: string): string | undefined {
    const canon = canonicalHeaderName(name);
    // One pass, no arrays: read for every header of every message.
    for (const [k, v] of this.list) {
      if (k !== canon) continue;
      if (!LIST_HEADERS.has(canon)) return v;
      const first = firstListElement(v);
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** Every value in order; list headers are split at top-level commas (multiple Via on one line). */
  getAll(name: string): string[] {
    const canon = canonicalHeaderName(name);
    const list = LIST_HEADERS.has(canon);
    const out: string[] = [];
    for (const [k, v] of this.list) {
      if (k !== canon) continue;
      if (!list) out.push(v);
      else if (v.indexOf(',') < 0) {
        // The usual single Via per line: no splitter (its arrays) needed.
        const one = v.trim();
        if (one !== '') out.push(one);
      } else out.push(...splitHeaderList(v));
    }
    return out;
  }

  has(name: string): boolean {
    const canon = canonicalHeaderName(name);
    return this.list.some(([k]) => k === canon);
  }

  append(name: string, value: string): this {
    if (/[\r\n]/.test(value)) throw new TypeError(`header ${name} value contains CR/LF`);
    this.list.push([canonicalHeaderName(name), value]);
    return this;
  }

  /**
   * Appends a header the parser read: `canon` already canonical and a token, `value` already free of
   * CR/LF (the parser split the block on them and refused a bare CR). No checks: every header of
   * every received message comes through here.
   */
  appendParsed(canon: string, value: string): void {
    this.list.push([canon, value]);
  }

  /** Replaces all values of `name` with one value, keeping the position of the first. */
  set(name: string, value: string): this {
    if (/[\r\n]/.test(value)) throw new TypeError(`header ${name} value contains CR/LF`);
    const canon = canonicalHeaderName(name);
    const idx = this.list.findIndex(([k]) => k === canon);
    this.delete(canon);
    if (idx < 0) this.list.push([canon, value]);
    else this.list.splice(idx, 0, [canon, value]);
    return this;
  }

  /**
   * Rewrites the first value of `name` in place — for a list header its first element, the rest
   * of that line kept. False when there is none. (applyRport on every UDP request: cheaper than
   * reading, deleting and appending every Via.)
   */
  updateFirst(name: string, update: (first: string) => string): boolean {
    const canon = canonicalHeaderName(name);
    for (let i = 0; i < this.list.length; i++) {
      if (this.list[i][0] !== canon) continue;
      const value = this.list[i][1];
      let next: string;
      if (!LIST_HEADERS.has(canon)) next = update(value);
      else if (value.indexOf(',') < 0) {
        // One element on the line (the usual single Via): rewritten without splitting and joining.
        const one = value.trim();
        if (one === '') continue;
        next = update(one);
      } else {
        const parts = splitHeaderList(value);
        if (parts.length === 0) continue;
        parts[0] = update(parts[0]);
        next = parts.join(', ');
      }
      if (/[\r\n]/.test(next)) throw new TypeError(`header ${name} value contains CR/LF`);
      this.list[i] = [canon, next];
      return true;
    }
    return false;
  }

  /** Inserts a value before the existing ones (a new top Via). */
  prepend(name: string, value: string): this {
    const canon = canonicalHeaderName(name);
    const idx = this.list.findIndex(([k]) => k === canon);
    this.list.splice(idx < 0 ? this.list.length : idx, 0, [canon, value]);
    return this;
  }

  delete(name: string): this {
    const canon = canonicalHeaderName(name);
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i][0] === canon) this.list.splice(i, 1);
    return this;
  }

  entries(): Array<[string, string]> {
    return this.list.map(([k, v]) => [k, v]);
  }

  /** The list itself, not a copy (serializing and building responses read it once per message): do not modify. */
  pairs(): ReadonlyArray<readonly [string, string]> {
    return this.list;
  }

  clone(): SipHeaders {
    return new SipHeaders(this.list);
  }

  get size(): number {
    return this.list.length;
  }
}

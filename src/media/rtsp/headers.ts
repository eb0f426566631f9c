// Case-insensitive RTSP header collection. Keeps the first spelling of each name for serialization and
// all values of repeated headers (cameras send one WWW-Authenticate per scheme).

export class RtspHeaders {
  private readonly byKey = new Map<string, { name: string; values: string[] }>();

  constructor(init?: Record<string, string | number | undefined> | Iterable<[string, string]>) {
    if (!init) return;
    if (Symbol.iterator in init) {
      for (const [k, v] of init as Iterable<[string, string]>) this.append(k, v);
    } else {
      for (const [k, v] of Object.entries(init)) if (v !== undefined) this.append(k, String(v));
    }
  }

  /** First value of the header, or undefined. */
  get(name: string): string | undefined {
    return this.byKey.get(name.toLowerCase())?.values[0];
  }

  getAll(name: string): string[] {
    return this.byKey.get(name.toLowerCase())?.values.slice() ?? [];
  }

  has(name: string): boolean {
    return this.byKey.has(name.toLowerCase());
  }

  set(name: string, value: string | number): this {
    this.byKey.set(name.toLowerCase(), { name, values: [String(value)] });
    return this;
  }

  append(name: string, value: string | number): this {
    const key = name.toLowerCase();
    const entry = this.byKey.get(key);
    if (entry) entry.values.push(String(value));
    else this.byKey.set(key, { name, values: [String(value)] });
    return this;
  }

  delete(name: string): boolean {
    return this.byKey.delete(name.toLowerCase());
  }

  get size(): number {
    return this.byKey.size;
  }

  /** [name, value] pairs in insertion order, one per value. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const { name, values } of this.byKey.values()) for (const v of values) yield [name, v];
  }
}

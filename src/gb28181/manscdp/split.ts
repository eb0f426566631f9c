// Multi-part MANSCDP answers (Catalog, RecordInfo, catalog events) split so each message fits:
// over UDP a SIP request must stay under the path MTU (RFC 3261 §18.1.1: 1300 bytes when the MTU
// is unknown) or be fragmented and often lost; the standard's SumNum (total) and Num (this part)
// let the receiver reassemble (GB/T 28181-2016 §9.5.3, Annex A.2.6). Over TCP only the item
// count bounds a message. Issue 15 defect 5.
import { encodeManscdp } from './codec.ts';
import type { ManscdpMessage } from './messages.ts';

/** RFC 3261 §18.1.1's 1300 bytes minus room for the SIP start line and headers (Via, From/To with tags, Call-ID, CSeq, Contact, Event, Subscription-State…). */
export const UDP_BODY_BUDGET_BYTES = 800;

export interface SplitLimits {
  /** Most items in one message (the peer's expectation; 20 by default elsewhere). */
  maxItems: number;
  /** Largest encoded body (bytes), for UDP; undefined: no byte limit (TCP). */
  maxBodyBytes?: number;
}

/**
 * Splits `items` into messages made by `make` within the limits. Each item is encoded once to
 * learn its size; an item that alone exceeds the budget goes alone (nothing smaller exists).
 * Always at least one message (an empty answer still carries SumNum 0).
 */
export function splitToFit<I, M extends ManscdpMessage>(items: readonly I[], make: (slice: I[]) => M, limits: SplitLimits): M[] {
  if (!Number.isInteger(limits.maxItems) || limits.maxItems < 1) throw new RangeError('maxItems must be a positive integer');
  const out: M[] = [];
  if (limits.maxBodyBytes === undefined) {
    for (let i = 0; i < items.length; i += limits.maxItems) out.push(make(items.slice(i, i + limits.maxItems)));
  } else {
    const base = encodeManscdp(make([])).length;
    let slice: I[] = [];
    let size = base;
    for (const it of items) {
      const itemBytes = encodeManscdp(make([it])).length - base;
      if (slice.length > 0 && (size + itemBytes > limits.maxBodyBytes || slice.length >= limits.maxItems)) {
        out.push(make(slice));
        slice = [];
        size = base;
      }
      slice.push(it);
      size += itemBytes;
    }
    if (slice.length > 0) out.push(make(slice));
  }
  if (out.length === 0) out.push(make([]));
  return out;
}

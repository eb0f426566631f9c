// Reading a PresetQuery answer (GB/T 28181 A.2.6.10), e.g. a lower's when an upper's PresetQuery is relayed
// down the cascade (issue 15): the parts of a split answer (SumNum in each, PresetList Num) and
// their Items. Network input: bounded; a part that is not a well-formed preset list is not one.
import type { ManscdpMessage } from './messages.ts';

export interface PresetPart {
  sumNum: number;
  /** Items of this part: PresetID (1…64 characters), PresetName (at most 64). */
  items: Array<{ id: string; name: string }>;
  /** Result ERROR from the lower, with its Reason. */
  error?: string;
}

type Tree = Record<string, unknown>;
const obj = (v: unknown): Tree | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Tree) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof obj(v)?.['#text'] === 'string' ? (obj(v)!['#text'] as string) : undefined);

/** The preset part a MANSCDP message is, or undefined when it is not a PresetQuery Response. */
export function readPresetPart(msg: ManscdpMessage): PresetPart | undefined {
  if (msg.kind !== 'other' || msg.root !== 'Response' || msg.cmdType !== 'PresetQuery') return undefined;
  const t = obj(msg.tree) ?? {};
  if (str(t.Result)?.trim().toUpperCase() === 'ERROR') return { sumNum: 0, items: [], error: (str(t.Reason) ?? 'ERROR').slice(0, 120) };
  const list = obj(t.PresetList);
  const raw = list?.Item === undefined ? [] : Array.isArray(list.Item) ? list.Item : [list.Item];
  const items: PresetPart['items'] = [];
  for (const it of raw.slice(0, 512)) {
    const id = str(obj(it)?.PresetID)?.trim();
    if (id && id.length <= 64) items.push({ id, name: (str(obj(it)?.PresetName) ?? '').trim().slice(0, 64) });
  }
  // An answer without SumNum (2016 devices) is whole in one part.
  const sum = Number(str(t.SumNum) ?? NaN);
  return { sumNum: Number.isInteger(sum) && sum >= 0 && sum <= 4096 ? sum : items.length, items };
}

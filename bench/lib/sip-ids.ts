// Identities shared by bench/sip.ts (the devices) and bench/lib/sip-upper.ts (the upper it measures).

export const UPPER = { id: '32000000002000000001', domain: '3200000000' };
/** The one more lower platform whose 20,000-channel catalog the upper pulls. */
export const BIG_LOWER = '32010000002000000009';
export const PASSWORD = 'Bench-Pass-1234';
export const deviceId = (i: number): string => `320106000013200${String(i).padStart(5, '0')}`;

/** What the upper process tells bench/sip.ts over IPC. */
export type ChildMsg = { kind: 'ready'; port: number } | { kind: 'catalog'; items: number; ms: number };

// RTSP paths of the common Chinese camera brands by channel (issue 14 item 10). The paths are
// relative: the host, port and credentials go in their own fields (sealed, never in the URL).
export type Brand = 'hikvision' | 'dahua' | 'uniview';
export const BRANDS: readonly Brand[] = ['hikvision', 'dahua', 'uniview'];

export function brandStreams(brand: Brand, channel: number): { main: string; sub: string } {
  const ch = Math.max(1, Math.floor(channel));
  switch (brand) {
    case 'hikvision':
      return { main: `/Streaming/Channels/${ch}01`, sub: `/Streaming/Channels/${ch}02` };
    case 'dahua':
      return { main: `/cam/realmonitor?channel=${ch}&subtype=0`, sub: `/cam/realmonitor?channel=${ch}&subtype=1` };
    case 'uniview':
      return { main: `/unicast/c${ch}/s0/live`, sub: `/unicast/c${ch}/s1/live` };
  }
}

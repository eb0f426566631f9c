// The INVITE Subject header of GB/T 28181 (2016 §9.2.2 / 2022 §9.2.2.1):
//   Subject: <sender id>:<sender stream serial>,<receiver id>:<receiver stream serial>
// where the sender is the media source (the channel) and, as Hikvision, Dahua and wvp send it,
// the sender serial is the stream's SSRC (the y= value). A peer that omits y= in its SDP still
// names the SSRC here; one that gives neither gets an SSRC built by the standard's rule (ids.ts).
import { SipParseError } from './message.ts';

export interface GbSubject {
  senderId: string;
  senderSerial: string;
  receiverId: string;
  receiverSerial: string;
}

const PART = /^\s*([0-9A-Za-z]{1,32})\s*:\s*([0-9A-Za-z]{0,32})\s*$/;

/** Parses a Subject value; throws SipParseError when it is not the GB form. */
export function parseGbSubject(text: string): GbSubject {
  if (text.length > 256) throw new SipParseError('Subject longer than 256 characters');
  const parts = text.split(',');
  if (parts.length !== 2) throw new SipParseError('Subject must be "sender:serial,receiver:serial"');
  const a = PART.exec(parts[0]);
  const b = PART.exec(parts[1]);
  if (!a || !b) throw new SipParseError('Subject parts must be "id:serial"');
  return { senderId: a[1], senderSerial: a[2], receiverId: b[1], receiverSerial: b[2] };
}

/** The SSRC a Subject names (the sender serial, when it is a valid 10-digit SSRC), else undefined. */
export function ssrcFromSubject(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const s = parseGbSubject(text).senderSerial;
    return /^\d{10}$/.test(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

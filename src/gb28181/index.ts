// Public API of the GB/T 28181 protocol layer (pure protocol code: imports only src/media,
// node built-ins and npm libs). Platform/cascade services build on these.
export { SipTransport } from './sip/transport.ts';
export type { SipDestination, RequestContext, ReplyFn, RequestHandler, ListenOptions, RequestOptions } from './sip/transport.ts';
export { parseSipMessage, serializeSipMessage, bodyText, SipParseError, SIP_MAX_MESSAGE_BYTES } from './sip/message.ts';
export type { SipMessage, SipRequest, SipResponse } from './sip/message.ts';
export { SipStreamParser } from './sip/stream-parser.ts';
export { SipHeaders, canonicalHeaderName } from './sip/headers.ts';
export { parseUri, formatUri, parseNameAddr, formatNameAddr } from './sip/uri.ts';
export type { SipUri, NameAddr } from './sip/uri.ts';
export { newBranch, newTag, newCallId, parseCSeq, parseVia, formatVia, createRequest, createResponse, tagOf, BRANCH_MAGIC } from './sip/util.ts';
export type { Via, CSeq, RequestInit, ResponseInit } from './sip/util.ts';
export { SipTimeoutError } from './sip/transaction.ts';
export { DEFAULT_SIP_TIMERS, scaleSipTimers } from './sip/timers.ts';
export type { SipTimers, Scheduler } from './sip/timers.ts';
export { createUacDialog, createUasDialog, buildAck, buildInDialogRequest, matchesDialog, SipDialogError } from './sip/dialog.ts';
export type { SipDialog } from './sip/dialog.ts';
export { computeHa1, createSipChallenge, verifySipAuthorization, parseAuthorization, SipDigestClient, digestResponseFromHa1 } from './auth.ts';
export type { DigestAlgorithm, VerifyResult, VerifyOptions } from './auth.ts';
export { sm3, sm3Hex } from './sm3.ts';
export { encodePtz, decodePtz, PtzError } from './ptz.ts';
export type { PtzCommand, PtzDecoded } from './ptz.ts';
export { parseDeviceId, buildDeviceId, isDeviceId, isVideoChannelId, buildSsrc, parseSsrc, DEVICE_TYPES, GbIdError } from './ids.ts';
export type { DeviceIdParts, Ssrc } from './ids.ts';
export { buildGbSdp, parseGbSdp, GbSdpError } from './sdp.ts';
export type { GbSdp, GbRtpMap } from './sdp.ts';
export * from './manscdp/index.ts';

// Fuzz targets of the organisation module's parsers of typed input (issue 13): registered with the
// shared runner (src/media/fuzz/targets.ts); importing this module registers them.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { nameProblem } from '../util/text.ts';
import { splitStreamCredentials } from './stream-url.ts';

const enc = (s: string) => new TextEncoder().encode(s);

registerFuzzTarget(
  'stream-url-credentials',
  (input) => {
    const text = Buffer.from(input).toString('utf8');
    const r = splitStreamCredentials(text);
    // The cleaned URL is never longer than what was typed, and cleaning is idempotent.
    if (r.stream.length > text.length) throw new FuzzInvariantError('stream grew');
    const again = splitStreamCredentials(r.stream);
    if (r.username === undefined && r.password === undefined && again.stream !== r.stream) throw new FuzzInvariantError('not idempotent');
  },
  ['rtsp://admin:pw@10.0.0.1:554/Streaming/Channels/101', 'rtsp://a:p@ss/w@h/x', '/Streaming/Channels/102', 'rtsp://[fe80::1]/a@b', 'rtsp://u%41:%zz@h'].map(enc),
);

registerFuzzTarget(
  'display-name',
  (input) => {
    // UTF-8 as typed text arrives; UTF-16LE too, the only way the bytes can carry a lone surrogate
    // (JSON "\ud800" parses to one; UTF-8 decoding never yields one).
    for (const text of [Buffer.from(input).toString('utf8'), Buffer.from(input).toString('utf16le')]) {
      if (nameProblem(text) !== undefined) continue;
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(text)) throw new FuzzInvariantError('control or bidi character accepted');
      // A lone surrogate does not survive a UTF-8 round trip (it becomes U+FFFD): an independent check.
      if (Buffer.from(text, 'utf8').toString('utf8') !== text) throw new FuzzInvariantError('lone surrogate accepted');
    }
  },
  [
    ...['第01考场', '南京市第一中学考点', 'abc\u202Eexe', 'a\u0000b'].map(enc),
    ...['第01考场', 'ab\ud800cd', '\udc00x', '😀\ud83d'].map((s) => new Uint8Array(Buffer.from(s, 'utf16le'))),
  ],
);

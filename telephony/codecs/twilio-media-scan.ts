/**
 * A fast path for the one message that arrives 50 times a second per call: Twilio's `media`.
 * JSON.parse builds an object tree per message (~1 µs); this scanner reads the two fields the
 * gateway uses straight from the text. It accepts only a strict subset of JSON: no whitespace,
 * no escapes, no control characters, every value a string except `media`, itself an object of
 * strings, and no repeated `event`, `media`, `payload` or `track` key. Every text it accepts is
 * valid JSON whose parse gives the same fields; anything else returns false and goes the
 * ordinary JSON.parse way, so results and errors never differ between the two paths.
 */

/** Characters that make the fast path step aside: control characters and backslash escapes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching raw control characters is the point: JSON forbids them unescaped
const NOT_PLAIN = /[\u0000-\u001f\\]/;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** What scanMedia found; reused from call to call (read it before the next scan). */
export interface ScannedMedia {
  /** media.payload, or undefined when absent. */
  payload: string | undefined;
  /** media.track, or undefined when absent or empty. */
  track: string | undefined;
}

const found: ScannedMedia = { payload: undefined, track: undefined };

/**
 * The `{"k":"v",...}` members from `i` (just after `{`); `inMedia` selects which keys are read.
 * Returns the index after the closing `}`, or -1 when the text leaves the subset.
 */
function members(text: string, i: number, inMedia: boolean, top: { event?: string; media: boolean }): number {
  if (text.charCodeAt(i) === CLOSE) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return -1;
    const key = text.slice(i + 1, keyEnd);
    i = keyEnd + 2;
    if (!inMedia && key === 'media') {
      if (top.media || text.charCodeAt(i) !== OPEN) return -1;
      top.media = true;
      i = members(text, i + 1, true, top);
      if (i < 0) return -1;
    } else {
      if (text.charCodeAt(i) !== QUOTE) return -1;
      const end = text.indexOf('"', i + 1);
      if (end < 0) return -1;
      if (inMedia) {
        if (key === 'payload') {
          if (found.payload !== undefined) return -1;
          found.payload = text.slice(i + 1, end);
        } else if (key === 'track') {
          if (found.track !== undefined) return -1;
          found.track = text.slice(i + 1, end);
        }
      } else if (key === 'event') {
        if (top.event !== undefined) return -1;
        top.event = text.slice(i + 1, end);
      }
      i = end + 1;
    }
    const c = text.charCodeAt(i);
    if (c === CLOSE) return i + 1;
    if (c !== COMMA) return -1;
    i++;
  }
}

/**
 * The media message's payload and track when `text` is a `media` message inside the subset;
 * null otherwise (parse it the ordinary way).
 */
export function scanMedia(text: string): ScannedMedia | null {
  if (text.charCodeAt(0) !== OPEN || NOT_PLAIN.test(text)) return null;
  found.payload = undefined;
  found.track = undefined;
  const top: { event?: string; media: boolean } = { media: false };
  const end = members(text, 1, false, top);
  if (end !== text.length || top.event !== 'media' || !top.media) return null;
  if (found.track === '') found.track = undefined;
  return found;
}

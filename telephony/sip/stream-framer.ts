/**
 * Splits a SIP byte stream (TCP) into messages (RFC 3261 §18.3: on a stream transport the
 * Content-Length header is mandatory and marks the end of the body). Pure. CRLF keep-alives
 * between messages are skipped. A header block or body beyond `maxMessageBytes` is an error:
 * the connection cannot be resynchronised and must be closed.
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(readonly maxMessageBytes = 16 * 1024) {}

  /** Appends received bytes; returns the complete messages now available. Throws on bad framing. */
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      let start = 0;
      while (start < this.buffer.length && (this.buffer[start] === 13 || this.buffer[start] === 10)) start++;
      if (start > 0) this.buffer = this.buffer.subarray(start);
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        if (this.buffer.length > this.maxMessageBytes)
          throw new Error(`no end of headers within ${this.maxMessageBytes} bytes`);
        return out;
      }
      const head = this.buffer.subarray(0, headEnd).toString('latin1');
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head);
      if (!m) throw new Error('a message on a stream transport must carry Content-Length');
      const total = headEnd + 4 + Number(m[1]);
      if (total > this.maxMessageBytes)
        throw new Error(`message of ${total} bytes exceeds ${this.maxMessageBytes}`);
      if (this.buffer.length < total) return out;
      out.push(Buffer.from(this.buffer.subarray(0, total)));
      this.buffer = this.buffer.subarray(total);
    }
  }
}

import { createSocket, type Socket } from 'node:dgram';

/**
 * Hands out RTP ports (even numbers, RTCP would be +1) from a configured range, bound to a UDP
 * socket, and takes them back. With min = 0 the OS picks any free port (tests, ad-hoc use).
 * `inUse` must return to 0 when every call has ended: tests check it after each call.
 */
export class RtpPortAllocator {
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(
    readonly host: string,
    readonly min = 0,
    readonly max = 0,
  ) {
    if (min !== 0 && (min > max || min < 1024 || max > 65535))
      throw new Error(
        `bad RTP port range ${min}-${max}: use 1024 <= min <= max <= 65535, or min 0 for any port`,
      );
    this.cursor = min + (min % 2);
  }

  get inUse(): number {
    return this.used.size;
  }

  async allocate(): Promise<{ port: number; socket: Socket }> {
    if (this.min === 0) {
      const socket = await bind(this.host, 0);
      if (!socket) throw new Error('could not bind an RTP socket');
      const port = socket.address().port;
      this.used.add(port);
      return { port, socket };
    }
    const first = this.min + (this.min % 2);
    const slots = Math.floor((this.max - first) / 2) + 1;
    for (let i = 0; i < slots; i++) {
      const port = this.cursor;
      this.cursor += 2;
      if (this.cursor > this.max) this.cursor = first;
      if (this.used.has(port)) continue;
      this.used.add(port);
      const socket = await bind(this.host, port);
      if (socket) return { port, socket };
      this.used.delete(port);
    }
    throw new Error(`no free RTP port in ${this.min}-${this.max} (${this.used.size} in use)`);
  }

  release(port: number, socket?: Socket): void {
    if (!this.used.delete(port)) return;
    if (socket) {
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
  }
}

function bind(host: string, port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const onError = () => {
      socket.close();
      resolve(null);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

import type { Metrics } from '../../engine/metrics/metrics.ts';

/** Media frames counted for one transport, waiting to be added to the Prometheus counters. */
export interface FrameTally {
  in: number;
  out: number;
}

type CollectHook = (() => unknown) | undefined;

const tallies = new WeakMap<Metrics, Map<string, FrameTally>>();

/**
 * The per-frame counters of a Metrics (voicebot_media_frames_{in,out}_total), counted as plain
 * numbers on the media path and added to the counters whenever they are read (prom-client's
 * `collect` hook runs before every read: scrape, get(), registry.metrics()). A labelled
 * prom-client inc() hashes its labels each time, 100 times a second per call.
 */
export function frameTally(metrics: Metrics, transport: string): FrameTally {
  let byTransport = tallies.get(metrics);
  if (!byTransport) {
    const map = new Map<string, FrameTally>();
    byTransport = map;
    tallies.set(metrics, map);
    const flush = (): void => {
      for (const [name, t] of map) {
        if (t.in > 0) metrics.framesIn.inc({ transport: name }, t.in);
        if (t.out > 0) metrics.framesOut.inc({ transport: name }, t.out);
        t.in = 0;
        t.out = 0;
      }
    };
    for (const counter of [metrics.framesIn, metrics.framesOut] as { collect?: CollectHook }[]) {
      const previous = counter.collect;
      counter.collect = previous
        ? function (this: unknown) {
            flush();
            return previous.call(this);
          }
        : flush;
    }
  }
  let tally = byTransport.get(transport);
  if (!tally) {
    tally = { in: 0, out: 0 };
    byTransport.set(transport, tally);
  }
  return tally;
}

/**
 * The call record of a session: a recorder made from the leg's call info (with the dual-channel
 * recording when asked for), and, once the call has ended, the finished record and its WAV
 * handed to the sink. A sink failure is logged; the call's end never waits on it failing.
 */
import type { CallLeg } from '../../telephony/call-leg.ts';
import { CallRecorder, type CallRecordSink } from '../calls/call-record.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';

export function sessionRecorder(
  leg: CallLeg,
  dialog: string,
  clock: Clock,
  recordAudio: boolean,
): CallRecorder {
  const { info } = leg;
  return new CallRecorder(
    {
      callId: info.callId,
      direction: info.direction,
      transport: info.transport,
      dialog,
      ...(info.providerCallId ? { providerCallId: info.providerCallId } : {}),
      ...(info.from ? { from: info.from } : {}),
      ...(info.to ? { to: info.to } : {}),
    },
    clock,
    { sampleRate: info.sampleRate, recordAudio },
  );
}

/** Finishes the record with `reason` and stores it; resolves once stored (or the store failed). */
export async function storeRecord(
  recorder: CallRecorder,
  reason: string,
  sink: CallRecordSink | undefined,
  log: Logger,
): Promise<void> {
  const record = recorder.finish(reason);
  const wav = recorder.audio?.wav();
  try {
    await sink?.write(record, wav);
  } catch (err) {
    log.error({ err }, 'call record not stored');
  }
}

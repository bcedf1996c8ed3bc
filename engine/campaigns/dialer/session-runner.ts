/**
 * The dialer's RunCall for real campaigns: on an answered leg, AMD first when the campaign asks
 * for it (machine + mode hangup -> 'machine'; machine + mode voicemail -> the message after the
 * beep, 'voicemail-left'), else the campaign's outbound script (dialogs/outbound/<scriptId>.yaml,
 * compiled once) in a CallSession with the contact's variables as call parameters. The dialog's
 * final outcome becomes the attempt's result: 'opted-out' -> 'opt-out' (the number goes on the
 * DNC list as soon as the dialog says so), a transfer with no agent in time -> 'abandoned',
 * anything else -> 'answered' with the outcome status and slots as answers. A person answering
 * (AMD not machine, or AMD off) is one live answer for the pacer (ctx.liveAnswer()); the
 * session's transfers take their agent through ctx.requestAgent() (the dialer's pool over the
 * engine's agent registry), so a person left waiting is counted as a drop. The call record (the
 * transcript) and the optional recording are files under `callsDir`; their paths are the
 * attempt's transcript reference and recording path.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileScript } from '../../../dialogs/script/compile.ts';
import { parseScript } from '../../../dialogs/script/load.ts';
import type { AgentSource } from '../../agents/source.ts';
import type { AmdParameters } from '../../amd/amd-classifier.ts';
import { runAmd } from '../../amd/run-amd.ts';
import { FileCallSink, safeFileName } from '../../calls/file-sink.ts';
import { VoicebotError } from '../../errors.ts';
import { CallSession, type DialogSpec, type SessionDeps } from '../../session/session.ts';
import type { Campaign } from '../model.ts';
import type { CallContext, CallOutcome, RunCall } from './types.ts';
import { leaveVoicemail } from './voicemail.ts';

export const DEFAULT_SCRIPTS_DIR = join(import.meta.dirname, '../../../dialogs/outbound');

export interface SessionRunnerOptions extends Omit<SessionDeps, 'sink' | 'agents' | 'parameters'> {
  /** Call records (<callId>.json) and recordings (<callId>.wav) go here. */
  callsDir: string;
  /** Where <scriptId>.yaml scripts are found (default dialogs/outbound). */
  scriptsDir?: string;
  /** Overrides the script lookup (a hand-written dialog, tests). */
  dialogFor?: (campaign: Campaign) => DialogSpec;
  /** How long a voicemail drop waits for the beep after the AMD decision (default 30 s). */
  beepTimeoutMs?: number;
  /** Sees every session as it starts. */
  onSession?: (session: CallSession, ctx: CallContext) => void;
}

type CampaignAmd = Campaign['amd']['params'];

export function amdParameters(p: CampaignAmd): Partial<AmdParameters> {
  return {
    initialSilenceMs: p.initialSilenceMs,
    greetingMs: p.greetingMs,
    afterGreetingSilenceMs: p.afterGreetingSilenceMs,
    totalAnalysisTimeMs: p.totalAnalysisMs,
    minimumWordLengthMs: p.minWordLengthMs,
    betweenWordsSilenceMs: p.betweenWordsSilenceMs,
    maximumNumberOfWords: p.maxWords,
    silenceThreshold: p.silenceThreshold,
    maximumWordLengthMs: p.maxWordLengthMs,
  };
}

/** Loads and compiles `<dir>/<scriptId>.yaml` once per script id. */
export function scriptLoader(dir: string): (scriptId: string) => DialogSpec {
  const cache = new Map<string, DialogSpec>();
  return (scriptId) => {
    const hit = cache.get(scriptId);
    if (hit) return hit;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(scriptId) || scriptId.startsWith('.')) {
      throw new VoicebotError(
        'CAMPAIGN_INVALID',
        `scriptId ${JSON.stringify(scriptId)} is not a script name: use a YAML file's name without .yaml, e.g. appointment-reminder`,
        { scriptId },
      );
    }
    const file = join(dir, `${scriptId}.yaml`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new VoicebotError(
        'CAMPAIGN_INVALID',
        `scriptId ${JSON.stringify(scriptId)}: cannot read ${file} (${(err as Error).message}); name a script in ${dir}`,
        { scriptId, file },
      );
    }
    const script = parseScript(file, text);
    const spec: DialogSpec = { name: script.id, machine: compileScript(script), language: script.language };
    cache.set(scriptId, spec);
    return spec;
  };
}

/**
 * Agents for the session's transfers from the dialer (its pool over the engine's registry). A
 * person asking for an agent answered, so the live answer is counted first (once per call; a
 * no-op after AMD said human) and no drop is ever counted without one.
 */
function dialerAgents(ctx: CallContext, onAbandon: () => void): AgentSource {
  return {
    acquire: async (request) => {
      ctx.liveAnswer();
      const lease = await ctx.requestAgent(request);
      if (!lease) onAbandon();
      return lease;
    },
  };
}

const POLL_MS = 100;

export function sessionRunner(options: SessionRunnerOptions): RunCall {
  const { callsDir: dir, scriptsDir, dialogFor, beepTimeoutMs, onSession, ...deps } = options;
  const callsDir = resolve(dir);
  const load = scriptLoader(scriptsDir ?? DEFAULT_SCRIPTS_DIR);
  const sink = new FileCallSink(callsDir);
  const specFor = dialogFor ?? ((c: Campaign) => load(c.scriptId));

  return async (leg, ctx): Promise<CallOutcome> => {
    const { campaign } = ctx;
    const spec = specFor(campaign); // a bad script id fails the attempt before anyone is spoken to
    const answers: Record<string, unknown> = {};
    let machine = false;
    if (campaign.amd.mode !== 'off') {
      const amd = await runAmd(leg, { params: amdParameters(campaign.amd.params), signal: ctx.signal });
      answers.amd = amd.result;
      answers.amdReason = amd.reason;
      machine = amd.result === 'MACHINE';
      if (amd.result === 'MACHINE' && campaign.amd.mode === 'hangup')
        return { disposition: 'machine', answers };
      if (amd.result === 'MACHINE' && campaign.amd.mode === 'voicemail') {
        const vm = await leaveVoicemail(leg, campaign.amd.voicemailPrompt ?? '', {
          tts: deps.tts,
          ...(spec.language ? { language: spec.language } : {}),
          ...(beepTimeoutMs ? { beepTimeoutMs } : {}),
          signal: ctx.signal,
        });
        answers.voicemail = vm;
        return { disposition: vm.left ? 'voicemail-left' : 'machine', answers };
      }
    }
    if (!machine) ctx.liveAnswer();
    if (!leg.active) return { disposition: 'answered', answers: { ...answers, outcome: 'hung-up' } };

    let abandoned = false;
    const agents = dialerAgents(ctx, () => {
      abandoned = true;
    });
    const session = new CallSession(leg, spec, { ...deps, agents, parameters: ctx.contact.variables, sink });
    onSession?.(session, ctx);
    // Opt-outs go on the DNC list while the goodbye still plays.
    let optedOut: Promise<void> | null = null;
    const watch = setInterval(() => {
      if (!optedOut && session.recorder.record.outcome?.status === 'opted-out') {
        optedOut = ctx.optOut('said so during the call');
      }
    }, POLL_MS);
    const onAbort = () => {
      if (leg.active) leg.hangup('dialer: aborted');
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await session.run();
    } finally {
      clearInterval(watch);
      ctx.signal.removeEventListener('abort', onAbort);
    }
    const record = session.recorder.record;
    const outcome = record.outcome ?? null;
    if (outcome?.status === 'opted-out') await (optedOut ?? ctx.optOut('said so during the call'));
    else if (optedOut) await optedOut;
    const base = join(callsDir, safeFileName(record.callId));
    const result: CallOutcome = {
      disposition: outcome?.status === 'opted-out' ? 'opt-out' : abandoned ? 'abandoned' : 'answered',
      answers: {
        ...answers,
        outcome: outcome?.status ?? null,
        ...(outcome?.slots && Object.keys(outcome.slots).length > 0 ? { slots: outcome.slots } : {}),
        ...(record.transfer ? { transfer: record.transfer } : {}),
        endReason: record.endReason ?? null,
      },
      transcriptRef: `${base}.json`,
      ...(deps.recordAudio ? { recordingPath: `${base}.wav` } : {}),
    };
    return result;
  };
}

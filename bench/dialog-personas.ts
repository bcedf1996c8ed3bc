/**
 * Task success per persona on the voice-order dialog (dialogs/voice-order).
 *
 * Default mode: many seeded calls per persona at the dialog level (the dialog and the session's
 * turn machine on a SimulatedClock, media modelled: engine/session/testing/dialog-sim.ts), for
 * each ASR error level. Success = the right outcome: the order placed with the right items,
 * quantities and address (cooperative, elderly, interrupter, keypad-only); transferred, or a
 * callback when no agent is free (wants-a-human, silent).
 *
 * --audio N: N calls per persona end to end over the real WebSocket gateway with real audio
 * (espeak-ng caller speech through G.711, pocketsphinx, WebRTC VAD, espeak-ng prompts):
 * bench/dialog-personas-audio.ts.
 *
 *   node --import tsx bench/dialog-personas.ts [--calls 200] [--seed 1] [--asr none,grammar,noisy]
 *        [--personas cooperative,...] [--agent-free 1] [--show-failures 2] [--audio N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCatalog } from '../dialogs/nlu/catalog.ts';
import { ASR_ERROR_LEVELS } from '../engine/session/testing/asr-errors.ts';
import { type SimCallResult, simulateCall } from '../engine/session/testing/dialog-sim.ts';
import { makePlan, PERSONAS, PersonaCaller, type PersonaName } from '../engine/session/testing/personas.ts';
import { rngFor } from '../telephony/carriers/sim/rng.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const USAGE = `Usage: node --import tsx bench/dialog-personas.ts [options]
  --calls N          calls per persona and ASR level (default 200)
  --seed N           seed of the generated calls (default 1)
  --asr LEVELS       ASR error levels, comma-separated: ${Object.keys(ASR_ERROR_LEVELS).join(', ')} (default all)
  --personas LIST    comma-separated subset of: ${PERSONAS.join(', ')}
  --agent-free P     chance an agent is free at a transfer (default 1)
  --show-failures N  print the transcript of the first N failed calls per persona (default 0)
  --audio N          instead: N calls per persona over the real gateway with real audio
                     (espeak-ng + pocketsphinx + WebRTC VAD), see bench/dialog-personas-audio.ts
`;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    asr: { type: 'string', default: Object.keys(ASR_ERROR_LEVELS).join(',') },
    personas: { type: 'string', default: PERSONAS.join(',') },
    'agent-free': { type: 'string', default: '1' },
    'show-failures': { type: 'string', default: '0' },
    audio: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

function fail(message: string): never {
  process.stderr.write(`dialog-personas: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} ${raw}: expected a whole number above 0`);
  return n;
}

function parsePersonas(raw: string): PersonaName[] {
  const list = raw.split(',').map((s) => s.trim());
  for (const p of list) {
    if (!(PERSONAS as readonly string[]).includes(p)) fail(`--personas: unknown persona "${p}"`);
  }
  return list as PersonaName[];
}

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);

async function dialogLevel(): Promise<void> {
  const calls = positiveInt('calls', values.calls);
  const seed = positiveInt('seed', values.seed);
  const showFailures = Number(values['show-failures']);
  const agentFree = Number(values['agent-free']);
  if (!(agentFree >= 0 && agentFree <= 1)) fail(`--agent-free ${values['agent-free']}: expected 0..1`);
  const personas = parsePersonas(values.personas);
  const levels = values.asr.split(',').map((s) => s.trim());
  for (const l of levels) if (!ASR_ERROR_LEVELS[l]) fail(`--asr: unknown level "${l}"`);
  const started = performance.now();
  const results: Record<string, unknown>[] = [];
  for (const level of levels) {
    for (const persona of personas) {
      const runs: SimCallResult[] = [];
      for (let i = 0; i < calls; i++) {
        const rng = rngFor(seed, `${persona}:${level}:${i}`);
        const caller = new PersonaCaller(makePlan(persona, rng, catalog), rng, catalog);
        runs.push(
          await simulateCall({ caller, catalog, rng, asrErrors: ASR_ERROR_LEVELS[level]!, agentFree }),
        );
      }
      const ok = runs.filter((r) => r.verdict.ok).length;
      const why: Record<string, number> = {};
      for (const r of runs) why[r.verdict.why] = (why[r.verdict.why] ?? 0) + 1;
      const secs = runs.map((r) => r.simMs / 1000);
      results.push({
        asr: level,
        persona,
        calls,
        successPct: round((100 * ok) / calls, 1),
        outcomes: why,
        callSeconds: { p50: round(percentile(secs, 50), 0), p90: round(percentile(secs, 90), 0) },
        /** Calls in which the bot started a prompt while the caller was talking, failed / all. */
        talkedOver: {
          failed: runs.filter((r) => !r.verdict.ok && r.talkedOver > 0).length,
          all: runs.filter((r) => r.talkedOver > 0).length,
        },
        turnsP50: percentile(
          runs.map((r) => r.turns),
          50,
        ),
      });
      for (const r of runs.filter((x) => !x.verdict.ok).slice(0, showFailures)) {
        process.stderr.write(
          `\n--- ${persona} (${level}) failed: ${r.verdict.why}\n${r.transcript.join('\n')}\n`,
        );
      }
    }
  }
  const table = results.map(
    (r) =>
      `${String(r.asr).padEnd(8)} ${String(r.persona).padEnd(14)} ${String(r.successPct).padStart(5)}%  ${JSON.stringify(r.outcomes)}`,
  );
  process.stdout.write(`${table.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'dialog-personas',
        mode: 'dialog-level (SimulatedClock)',
        machine: machineInfo(),
        seed,
        asrErrorLevels: Object.fromEntries(levels.map((l) => [l, ASR_ERROR_LEVELS[l]])),
        agentFree,
        wallSeconds: round((performance.now() - started) / 1000, 1),
        results,
      },
      null,
      2,
    )}\n`,
  );
}

if (values.help) process.stdout.write(USAGE);
else if (values.audio !== undefined) {
  const { runAudio } = await import('./dialog-personas-audio.ts');
  await runAudio({
    calls: positiveInt('audio', values.audio),
    seed: positiveInt('seed', values.seed),
    personas: parsePersonas(values.personas),
  });
} else await dialogLevel();

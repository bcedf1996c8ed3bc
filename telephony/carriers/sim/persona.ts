/**
 * Simulated callees (fixtures/personas/*.json): how often they answer, how long it rings, busy
 * and invalid numbers, whether a machine answers (greeting text spoken by espeak-ng, then a
 * beep), and what a human says: a greeting, then one reply per bot prompt (speech or a key).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { VoicebotError } from '../../../engine/errors.ts';

const prob = z.number().min(0).max(1);
const ms = z.number().int().min(0).max(600_000);

export const replySchema = z.union([
  z.object({ say: z.string().min(1).max(500) }).strict(),
  z.object({ dtmf: z.string().regex(/^[0-9*#A-D]{1,20}$/, 'keys 0-9 * # A-D') }).strict(),
  z.object({ silenceMs: ms }).strict(),
]);
export type Reply = z.infer<typeof replySchema>;

export const personaSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]{1,64}$/, 'lowercase letters, digits and -'),
    description: z.string().max(500).default(''),
    /** How often this persona is drawn among the carrier's personas. */
    weight: z.number().min(0).default(1),
    /** The number does not exist (404) - decided before anything else. */
    invalidRate: prob.default(0),
    busyRate: prob.default(0),
    declineRate: prob.default(0),
    /** Of the calls that ring: answered (by a human or a machine); the rest ring out. */
    answerRate: prob,
    /** Of the answered calls: a voicemail machine answers. */
    machineRate: prob.default(0),
    ringMs: z.object({ min: ms, max: ms }).refine((r) => r.min <= r.max, 'ringMs.min must be <= ringMs.max'),
    language: z.enum(['en-US', 'zh-CN']).default('en-US'),
    /** An espeak-ng voice of the language (asr-tts/providers/espeak ESPEAK_VOICES). */
    voice: z
      .string()
      .regex(/^[a-zA-Z0-9_+-]{1,40}$/)
      .default('en-us'),
    wpm: z.number().int().min(80).max(400).default(165),
    voicemail: z
      .object({
        greeting: z.string().min(1).max(1000),
        voice: z
          .string()
          .regex(/^[a-zA-Z0-9_+-]{1,40}$/)
          .optional(),
        beepHz: z.number().min(300).max(3000).default(1000),
        beepMs: z.number().int().min(50).max(3000).default(500),
        /** Silence before the greeting starts. */
        delayMs: ms.default(300),
        /** How long the machine records after the beep before it hangs up. */
        recordMs: ms.default(30_000),
      })
      .strict()
      .optional(),
    human: z
      .object({
        /** Silence between the answer and the greeting. */
        delayMs: ms.default(500),
        greeting: z.string().min(1).max(500).default('hello?'),
        /** One per bot prompt, in order; after the last the callee stays silent. */
        replies: z.array(replySchema).max(50).default([]),
        /** Bot silence that marks the end of a prompt. */
        promptGapMs: ms.default(700),
        /** The callee hangs up after this long on the call. */
        maxCallMs: ms.default(120_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((p) => p.machineRate === 0 || p.voicemail, 'voicemail is required when machineRate > 0');

export type Persona = z.output<typeof personaSchema>;
export type PersonaInput = z.input<typeof personaSchema>;

export function parsePersona(input: unknown, where = 'persona'): Persona {
  const r = personaSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new VoicebotError(
    'CARRIER_BAD_REQUEST',
    `${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
}

/** Loads every *.json in a folder, sorted by file name. */
export function loadPersonas(dir: string): Persona[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((f) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch (err) {
      throw new VoicebotError('CARRIER_BAD_REQUEST', `${f}: not JSON (${(err as Error).message})`);
    }
    return parsePersona(json, f);
  });
}

export type SimOutcome =
  | { kind: 'invalid' | 'busy' | 'declined' | 'ring-out'; ringMs: number }
  | { kind: 'human' | 'machine'; ringMs: number };

/** Draws what happens to one call (rand: uniform [0,1)). */
export function drawOutcome(p: Persona, rand: () => number): SimOutcome {
  const ringMs = Math.round(p.ringMs.min + rand() * (p.ringMs.max - p.ringMs.min));
  if (rand() < p.invalidRate) return { kind: 'invalid', ringMs: 0 };
  if (rand() < p.busyRate) return { kind: 'busy', ringMs: Math.min(ringMs, 500) };
  if (rand() < p.declineRate) return { kind: 'declined', ringMs };
  if (rand() >= p.answerRate) return { kind: 'ring-out', ringMs: Number.POSITIVE_INFINITY };
  return { kind: rand() < p.machineRate ? 'machine' : 'human', ringMs };
}

/** Picks a persona by weight. */
export function pickPersona(personas: readonly Persona[], rand: () => number): Persona {
  const total = personas.reduce((s, p) => s + p.weight, 0);
  let x = rand() * total;
  for (const p of personas) {
    x -= p.weight;
    if (x < 0) return p;
  }
  return personas[personas.length - 1]!;
}

/**
 * The declarative dialog script format (YAML or JSON), validated with zod. Campaign managers
 * write nodes of kind say / ask / confirm / menu / digits / transfer / hangup / branch; the
 * compiler (compile.ts) turns them into a machine built from the dialog blocks.
 */
import { z } from 'zod';

const ID = /^[A-Za-z][A-Za-z0-9-]*$/;
const nodeId = z
  .string()
  .regex(ID, 'use letters, digits and dashes, starting with a letter (e.g. "ask-date")');
const slotName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'use letters, digits and _ (e.g. "newDate")');
const text = z.union([
  z.string().trim().min(1, 'must not be empty'),
  z
    .strictObject({ 'en-US': z.string().min(1).optional(), 'zh-CN': z.string().min(1).optional() })
    .refine((t) => t['en-US'] !== undefined || t['zh-CN'] !== undefined, 'give the text for en-US or zh-CN'),
]);
const bargeIn = z.union([
  z.enum(['always', 'never']),
  z.strictObject({ afterMs: z.number().int().min(0).max(60_000) }),
]);
const key = z.string().regex(/^[0-9*#]$/, 'use one keypad key: 0-9, * or #');

const common = {
  text,
  bargeIn: bargeIn.optional(),
  reprompt: text.optional(),
  keypadHint: text.optional(),
  help: text.optional(),
};

export const SayNodeSchema = z.strictObject({
  kind: z.literal('say'),
  text,
  bargeIn: bargeIn.optional(),
  next: nodeId,
});
export const AskNodeSchema = z.strictObject({
  kind: z.literal('ask'),
  ...common,
  expected: z.enum(['number', 'date', 'free', 'digits', 'yesno']),
  slot: slotName,
  hints: z.array(z.string().min(1)).optional(),
  /** Keypad entry for number/digits: 1 = each key is an answer; more = keys ended by # or the max. */
  maxDigits: z.number().int().min(1).max(32).optional(),
  next: nodeId,
});
export const ConfirmNodeSchema = z.strictObject({
  kind: z.literal('confirm'),
  ...common,
  slot: slotName.optional(),
  yes: nodeId,
  no: nodeId,
});
export const MenuNodeSchema = z.strictObject({
  kind: z.literal('menu'),
  ...common,
  slot: slotName.optional(),
  options: z
    .array(
      z.strictObject({
        id: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'use letters, digits, _ and - (e.g. "reschedule")'),
        key: key.optional(),
        words: z.array(z.string().trim().min(1)).min(1, 'give at least one word that picks this option'),
        next: nodeId,
      }),
    )
    .min(2, 'a menu needs at least two options'),
});
export const DigitsNodeSchema = z.strictObject({
  kind: z.literal('digits'),
  ...common,
  slot: slotName,
  minLength: z.number().int().min(1).max(32).optional(),
  maxLength: z.number().int().min(1).max(32).optional(),
  terminator: key.optional(),
  next: nodeId,
});
export const TransferNodeSchema = z.strictObject({
  kind: z.literal('transfer'),
  text: text.optional(),
  reason: z.enum(['caller-request', 'bot-failure', 'sales-qualified', 'other']).default('caller-request'),
  target: z.string().min(1).optional(),
  failed: nodeId.optional(),
});
export const HangupNodeSchema = z.strictObject({
  kind: z.literal('hangup'),
  text: text.optional(),
  status: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use a lower-case status with dashes (e.g. "confirmed")'),
});
const condition = z.strictObject({
  slot: slotName,
  equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  in: z.array(z.union([z.string(), z.number()])).optional(),
  exists: z.boolean().optional(),
  atLeast: z.number().optional(),
  atMost: z.number().optional(),
  next: nodeId,
});
export const BranchNodeSchema = z.strictObject({
  kind: z.literal('branch'),
  cases: z.array(condition).min(1, 'a branch needs at least one case'),
  else: nodeId,
});

export const NodeSchema = z.discriminatedUnion('kind', [
  SayNodeSchema,
  AskNodeSchema,
  ConfirmNodeSchema,
  MenuNodeSchema,
  DigitsNodeSchema,
  TransferNodeSchema,
  HangupNodeSchema,
  BranchNodeSchema,
]);

export const ScriptSchema = z.strictObject({
  id: nodeId,
  language: z.enum(['en-US', 'zh-CN']),
  /** Who is calling: every outbound script says it. */
  company: z.string().trim().min(1).optional(),
  description: z.string().optional(),
  elderly: z.boolean().default(false),
  /** Contact / call variables the texts use as {{name}}. */
  variables: z.array(slotName).default([]),
  optOut: z
    .strictObject({
      key: key.default('9'),
      words: z.array(z.string().trim().min(1)).default(['stop']),
      text: text.optional(),
    })
    .optional(),
  start: nodeId,
  nodes: z
    .record(z.string(), NodeSchema)
    .refine((n) => Object.keys(n).length > 0, 'a script needs at least one node'),
});

export type Script = z.infer<typeof ScriptSchema>;
export type ScriptNode = z.infer<typeof NodeSchema>;
export type ScriptText = z.infer<typeof text>;

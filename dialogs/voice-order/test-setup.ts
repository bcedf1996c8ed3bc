/** Shared set-up of the voice-order tests: the fixture catalog and a harness with real services. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Language } from '../../asr-tts/asr.ts';
import { parseCatalog } from '../nlu/catalog.ts';
import { DialogHarness } from '../testing/harness.ts';
import { createVoiceOrderDialog, type OrderRequest, type VoiceOrderServices } from './machine.ts';

export const catalog = parseCatalog(
  JSON.parse(
    readFileSync(fileURLToPath(new URL('../../fixtures/catalogs/meals.json', import.meta.url)), 'utf8'),
  ),
  'meals.json',
);

export const REGISTERED: Record<string, string> = { '+8613800000001': '12 Garden Road, flat 3' };

export function voiceOrderHarness(
  opts: {
    language?: Language;
    from?: string;
    parameters?: Record<string, string>;
    failSubmit?: boolean;
  } = {},
) {
  const submitted: OrderRequest[] = [];
  const services: VoiceOrderServices = {
    lookupAddress: async (callerId) => (callerId ? (REGISTERED[callerId] ?? null) : null),
    submitOrder: async (order) => {
      if (opts.failSubmit) throw new Error('order service unavailable');
      submitted.push(order);
      return { orderId: `A${submitted.length}` };
    },
  };
  const machine = createVoiceOrderDialog({ catalog }, services);
  const h = new DialogHarness(machine, {
    catalog,
    language: opts.language ?? 'en-US',
    from: opts.from ?? '+8613800000001',
    parameters: opts.parameters ?? {},
  });
  return { h, submitted, machine };
}

/** Lets resolved actor promises deliver their results. */
export const settle = () => new Promise((r) => setTimeout(r, 0));

/**
 * The voice-order dialog as the session benchmarks run it: the fixture catalog and customer
 * directory, orders kept in memory, and a DialogSpec for the engine's dialogFor.
 */
import { readFileSync } from 'node:fs';
import { parseCatalog } from '../../dialogs/nlu/catalog.ts';
import { createVoiceOrderDialog, type OrderRequest } from '../../dialogs/voice-order/machine.ts';
import { CustomerDirectory } from '../../engine/orders/customer-directory.ts';
import type { DialogSpec } from '../../engine/session/session.ts';

export const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);

const customers = CustomerDirectory.fromFile(
  new URL('../../fixtures/customers/customers.json', import.meta.url).pathname,
);

/** Orders placed, by call id. */
export const orders = new Map<string, OrderRequest>();

const machine = createVoiceOrderDialog(
  { catalog },
  {
    lookupAddress: (id) => customers.lookupAddress(id),
    submitOrder: async (order) => {
      orders.set(order.callId, order);
      return { orderId: `B${orders.size}` };
    },
  },
);

/** The dialog for a call; `elderly: 'false'` in the call parameters turns elderly mode off. */
export function voiceOrderSpec(parameters: Record<string, string>): DialogSpec {
  return {
    name: 'voice-order',
    machine,
    input: {
      ...(parameters.elderly ? { elderly: parameters.elderly !== 'false' } : {}),
      ...(parameters.noInputMs ? { noInputTimeoutMs: Number(parameters.noInputMs) } : {}),
    },
    catalog,
    language: 'en-US',
  };
}

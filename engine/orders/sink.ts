/**
 * Where placed orders go. The voice-order dialog's `submitOrder` actor calls `sink.submit()`;
 * a sink either accepts the order (and returns its id) or throws ORDER_SUBMIT_FAILED. Every
 * order carries an idempotency key: submitting the same key twice returns the first receipt.
 */
import type { OrderReceipt, OrderRequest } from '../../dialogs/voice-order/machine.ts';

export type { OrderReceipt, OrderRequest };

export interface OrderSink {
  submit(order: OrderRequest): Promise<OrderReceipt>;
}

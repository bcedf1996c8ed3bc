import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CustomerDirectory } from '../../engine/orders/customer-directory.ts';
import { FileOrderSink } from '../../engine/orders/file-sink.ts';
import { DialogHarness } from '../testing/harness.ts';
import { createVoiceOrderDialog } from './machine.ts';
import { catalog, settle } from './test-setup.ts';

const dir = mkdtempSync(join(tmpdir(), 'voice-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a Chinese caller registered in fixtures/customers orders into the file sink', async () => {
  const customers = CustomerDirectory.fromFile(
    join(import.meta.dirname, '../../fixtures/customers/customers.json'),
  );
  const sink = new FileOrderSink(join(dir, 'orders.jsonl'));
  const machine = createVoiceOrderDialog(
    { catalog, shopName: '阳光超市' },
    { lookupAddress: (id) => customers.lookupAddress(id), submitOrder: (o) => sink.submit(o) },
  );
  const h = new DialogHarness(machine, { catalog, language: 'zh-CN', from: '+8613800000002' }).start();
  expect(h.lastSay()?.text).toContain('欢迎使用阳光超市电话订购');
  h.promptDone().answer('来三碗牛肉面').answer('是的').answer('没有了');
  expect(h.lastSay()?.text).toMatch(/^您点了三碗牛肉面，一共75元。/);
  h.answer('可以');
  await settle();
  expect(h.lastSay()?.text).toMatch(/^送到您登记的地址人民路88号2单元301室，可以吗？/);
  h.answer('可以');
  // The file sink does real disk I/O: poll (up to 5 s on a busy machine) for the outcome.
  for (let i = 0; i < 500 && h.lastOutcome()?.status !== 'order-placed'; i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(h.lastOutcome()?.slots).toMatchObject({ orderId: 'F00001', address: '人民路88号2单元301室' });
  const [stored] = await sink.list();
  expect(stored).toMatchObject({ lines: [{ itemId: 'beef-noodles', quantity: 3 }], totalMinor: 7500 });
});

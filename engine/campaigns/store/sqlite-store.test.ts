import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { storeConformance } from './conformance.ts';
import { SqliteCampaignStore } from './sqlite-store.ts';

storeConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-store-'));
  const path = join(dir, 'campaigns.db');
  return {
    open: () => SqliteCampaignStore.open(path),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

it('sqlite: an unopenable path fails with STORE_UNAVAILABLE', async () => {
  await expect(SqliteCampaignStore.open('/nonexistent-dir/x/campaigns.db')).rejects.toMatchObject({
    code: 'STORE_UNAVAILABLE',
  });
});

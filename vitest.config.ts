import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{engine,dialogs,telephony,asr-tts,fixtures,bench}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{engine,dialogs,telephony,asr-tts,fixtures,bench}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most suites wait on real-time audio and real peers, not CPU: run three files at a time on
    // the 2-core CI machine instead of vitest's default of one (cores - 1).
    maxWorkers: 3,
    reporters: ['default'],
  },
});

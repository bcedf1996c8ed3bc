import type { Language } from '../../asr-tts/asr.ts';

/** What the session itself says (not the dialog): after a noise barge-in, at the time limit. */
export const SESSION_PHRASES: Record<Language, { noise: string; timeUp: string }> = {
  'en-US': {
    noise: 'Sorry, please go on.',
    timeUp: 'We have reached the time limit for this call. Goodbye.',
  },
  'zh-CN': { noise: '不好意思，请您继续说。', timeUp: '本次通话已达到时间上限，再见。' },
};

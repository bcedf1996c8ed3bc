import { fromPromise } from 'xstate';
import { buildDialogMachine } from '../blocks/build-machine.ts';
import type { DialogDefinition } from '../blocks/types.ts';
import { describeEveryState } from '../testing/state-suite.ts';
import { voiceOrderDefinition } from './machine.ts';
import { catalog } from './test-setup.ts';

const def = voiceOrderDefinition({ catalog });
/** The address lookup and the order service never answer: every state stays put while tested. */
const pending = fromPromise<unknown, unknown>(() => new Promise(() => {}));
const build = (d: DialogDefinition) =>
  buildDialogMachine(d, { lookupAddress: pending, submitOrder: pending });
const answers = {
  askItem: { said: 'two loaves of bread' },
  askQuantity: { said: 'three' },
  confirmItem: { said: 'yes' },
  anythingElse: { said: 'no' },
  readBack: { said: 'no' },
  confirmAddress: { said: 'no' },
  askAddress: { said: '5 River Street' },
  confirmNewAddress: { said: 'no' },
};
const zhAnswers = {
  ...answers,
  askItem: { said: '两个面包' },
  askQuantity: { said: '三个' },
  confirmItem: { said: '对' },
  anythingElse: { said: '不要了' },
  readBack: { said: '不对' },
  confirmAddress: { said: '不是' },
  askAddress: { said: '人民路五号' },
  confirmNewAddress: { said: '不对' },
};
const context = {
  slots: {
    _pending: { itemId: 'bread', quantity: 2 },
    cart: [{ itemId: 'milk', quantity: 1, priceMinor: 600 }],
  },
};
describeEveryState('voice-order en-US', def, build, {
  noMatch: { askAddress: { keys: '5' } },
  catalog,
  language: 'en-US',
  input: { elderly: true },
  answers,
  context,
});
describeEveryState('voice-order zh-CN', def, build, {
  noMatch: { askAddress: { keys: '5' } },
  catalog,
  language: 'zh-CN',
  input: { elderly: true },
  answers: zhAnswers,
  context,
});

/** The voice-order dialog's sentences, in English and Chinese. */
import type { LocalizedText } from '../blocks/types.ts';

export const P = {
  greeting: {
    'en-US':
      'Hello, welcome to {{shopName}} telephone ordering. I will take your order one item at a time. At any time you can say "repeat", or "slower", or press 0 to talk to a person.',
    'zh-CN':
      '您好，欢迎使用{{shopName}}电话订购。我会一样一样地帮您点。任何时候您都可以说“重复”或者“慢一点”，按0可以找人工服务。',
  },
  askItem: { 'en-US': 'What would you like to order?', 'zh-CN': '请问您想买点什么？' },
  askItemReprompt: {
    'en-US': 'Please tell me one thing you would like, for example: two loaves of bread.',
    'zh-CN': '请告诉我您想要的一样东西，比如：两个面包。',
  },
  askItemKeys: {
    'en-US': 'Or type the item number from your menu card, then press the pound key.',
    'zh-CN': '也可以按菜单卡上的商品编号，再按井号键。',
  },
  askQuantity: {
    'en-US': 'How many {{pendingUnit}} {{pendingName}}?',
    'zh-CN': '{{pendingName}}要几{{pendingUnit}}？',
  },
  askQuantityKeys: {
    'en-US': 'Say a number, or type it and press the pound key.',
    'zh-CN': '请说一个数字，或者按数字键再按井号键。',
  },
  confirmItem: { 'en-US': '{{pendingText}}, is that right?', 'zh-CN': '{{pendingText}}，对吗？' },
  anythingElse: { 'en-US': 'Anything else?', 'zh-CN': '还需要别的吗？' },
  readBack: {
    'en-US': 'You ordered {{cartText}}. The total is {{totalText}}. Shall I place the order?',
    'zh-CN': '您点了{{cartText}}，一共{{totalText}}。现在下单吗？',
  },
  startOver: { 'en-US': 'All right, let us start again.', 'zh-CN': '好的，我们重新来。' },
  confirmAddress: {
    'en-US': 'Shall we deliver to your registered address, {{registeredAddress}}?',
    'zh-CN': '送到您登记的地址{{registeredAddress}}，可以吗？',
  },
  askAddress: {
    'en-US': 'Please tell me the delivery address: the street, the number and the flat.',
    'zh-CN': '请告诉我送货地址，街道、门牌号和房间号。',
  },
  confirmNewAddress: {
    'en-US': 'I heard: {{address}}. Is that right?',
    'zh-CN': '我听到的是：{{address}}，对吗？',
  },
  submitting: { 'en-US': 'One moment please, I am placing your order.', 'zh-CN': '请稍等，正在为您下单。' },
  placed: {
    'en-US':
      'Your order is placed. The order number is {{orderId}}. It will be delivered to {{address}}. Thank you, and goodbye.',
    'zh-CN': '您的订单已经下好了，订单号是{{orderId}}，会送到{{address}}。谢谢您，再见。',
  },
  submitFailed: {
    'en-US': 'I am sorry, I could not place your order. Let me connect you to a person who can help.',
    'zh-CN': '很抱歉，订单没有提交成功。我帮您转接人工服务。',
  },
} satisfies Record<string, LocalizedText>;

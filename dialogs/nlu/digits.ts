/**
 * Digit strings spoken one by one (phone and account numbers): "five five five one two",
 * "double five", "triple seven", "oh" = 0, "幺五五", "洞" = 0, grouped forms ("five fifty-five",
 * "eight hundred" = 800) and typed digits ("555-1234"). Common ASR slips between digits are
 * accepted ("to"/"too" = 2, "for" = 4, "won" = 1, "ate" = 8) when next to another digit.
 */

const EN_DIGIT: Record<string, string> = {
  zero: '0',
  oh: '0',
  o: '0',
  nought: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/** Homophones an English recognizer produces for digits; taken only beside another digit. */
const EN_SOUNDALIKE: Record<string, string> = { to: '2', too: '2', for: '4', fore: '4', won: '1', ate: '8' };

const EN_TEENS: Record<string, string> = {
  ten: '10',
  eleven: '11',
  twelve: '12',
  thirteen: '13',
  fourteen: '14',
  fifteen: '15',
  sixteen: '16',
  seventeen: '17',
  eighteen: '18',
  nineteen: '19',
};

const EN_TENS: Record<string, string> = {
  twenty: '2',
  thirty: '3',
  forty: '4',
  fifty: '5',
  sixty: '6',
  seventy: '7',
  eighty: '8',
  ninety: '9',
};

const ZH_DIGIT: Record<string, string> = {
  零: '0',
  〇: '0',
  洞: '0',
  幺: '1',
  一: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  拐: '7',
  七: '7',
  八: '8',
  九: '9',
  勾: '9',
};

const REPEAT: Record<string, number> = { double: 2, triple: 3, 双: 2 };

/** Filler tokens allowed between digits ("my number is", "嗯", "and"). */
const FILLERS = new Set(['and', 'uh', 'um', 'er', 'then', '嗯', '呃', '啊', '是']);

export interface DigitsParse {
  value: string;
  /** Share of tokens that were digits (0..1): low when much else was said. */
  coverage: number;
  /** Number of sound-alike words taken as digits. */
  guesses: number;
}

function digitOf(t: string): string | undefined {
  if (/^\d+$/.test(t)) return t;
  return EN_DIGIT[t] ?? ZH_DIGIT[t];
}

/**
 * Characters a Chinese recogniser writes for a spoken digit (幺 heard as 要/妖/腰, 八 as 巴).
 * Common particles (吧, 把, 啊) are left out on purpose: "一三九吧" ends with a particle.
 */
const ZH_SOUNDALIKE: Record<string, string> = {
  要: '1',
  妖: '1',
  腰: '1',
  邀: '1',
  衣: '1',
  尔: '2',
  而: '2',
  山: '3',
  伞: '3',
  散: '3',
  死: '4',
  似: '4',
  舞: '5',
  武: '5',
  午: '5',
  伍: '5',
  留: '6',
  流: '6',
  溜: '6',
  期: '7',
  其: '7',
  巴: '8',
  扒: '8',
  酒: '9',
  久: '9',
  玖: '9',
  灵: '0',
  铃: '0',
};

function soundalike(t: string): string | undefined {
  return EN_SOUNDALIKE[t] ?? ZH_SOUNDALIKE[t];
}

/**
 * Sound-alike words count as digits only inside a run of spoken digits, or at its edge when
 * that edge is the start or end of the utterance ("to oh to", "要五五"): "我要一三九" keeps 要 as
 * a word because something else was said before it.
 */
function acceptedSoundalikes(tokens: readonly string[]): Set<number> {
  const ok = new Set<number>();
  let i = 0;
  while (i < tokens.length) {
    if (!isDigitWord(tokens[i]) && soundalike(tokens[i]!) === undefined) {
      i++;
      continue;
    }
    let j = i;
    let real = 0;
    while (j < tokens.length && (isDigitWord(tokens[j]) || soundalike(tokens[j]!) !== undefined)) {
      if (isDigitWord(tokens[j])) real++;
      j++;
    }
    if (real > 0) {
      // Trim sound-alikes at an edge that touches other words.
      let lo = i;
      let hi = j;
      if (lo > 0) while (lo < hi && !isDigitWord(tokens[lo])) lo++;
      if (hi < tokens.length) while (hi > lo && !isDigitWord(tokens[hi - 1])) hi--;
      for (let k = lo; k < hi; k++) if (!isDigitWord(tokens[k])) ok.add(k);
    }
    i = j;
  }
  return ok;
}

/** Reads every spoken digit in the tokens; undefined when there is none. */
export function parseDigits(tokens: readonly string[]): DigitsParse | undefined {
  let out = '';
  let used = 0;
  let guesses = 0;
  const likes = acceptedSoundalikes(tokens);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const rep = REPEAT[t];
    if (rep !== undefined) {
      const d = digitOf(tokens[i + 1] ?? '');
      if (d !== undefined && d.length === 1) {
        out += d.repeat(rep);
        used += 2;
        i++;
        continue;
      }
    }
    const d = digitOf(t);
    if (d !== undefined) {
      out += d;
      used++;
      continue;
    }
    const teen = EN_TEENS[t];
    if (teen !== undefined) {
      out += teen;
      used++;
      continue;
    }
    const tens = EN_TENS[t];
    if (tens !== undefined) {
      // "fifty five" -> 55, "fifty" -> 50
      const unit = EN_DIGIT[tokens[i + 1] ?? ''];
      if (unit !== undefined && unit !== '0' && tokens[i + 1] !== 'oh' && tokens[i + 1] !== 'o') {
        out += tens + unit;
        used += 2;
        i++;
      } else {
        out += `${tens}0`;
        used++;
      }
      continue;
    }
    if ((t === 'hundred' || t === 'thousand') && out !== '') {
      out += t === 'hundred' ? '00' : '000';
      used++;
      continue;
    }
    if (likes.has(i)) {
      out += soundalike(t)!;
      used++;
      guesses++;
      continue;
    }
    if (FILLERS.has(t)) used += 0.5;
  }
  if (out === '') return undefined;
  return { value: out, coverage: Math.min(1, used / tokens.length), guesses };
}

function isDigitWord(t: string | undefined): boolean {
  return t !== undefined && (digitOf(t) !== undefined || t in EN_TEENS || t in EN_TENS || t in REPEAT);
}

/** The DTMF keypad (ITU-T Q.23): each key is one low-group (row) plus one high-group (column) tone. */

export const DTMF_ROWS_HZ = [697, 770, 852, 941] as const;
export const DTMF_COLS_HZ = [1209, 1336, 1477, 1633] as const;
/** KEYPAD[row][col]. */
export const DTMF_KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;
export const DTMF_DIGITS = '0123456789*#ABCD';

export type DtmfDigit =
  | '0'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '*'
  | '#'
  | 'A'
  | 'B'
  | 'C'
  | 'D';

export function isDtmfDigit(s: string): s is DtmfDigit {
  return s.length === 1 && DTMF_DIGITS.includes(s.toUpperCase()) && s === s.toUpperCase();
}

/** [rowHz, colHz] of a key. */
export function dtmfFrequencies(digit: DtmfDigit): [number, number] {
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYPAD[r]!.indexOf(digit);
    if (c >= 0) return [DTMF_ROWS_HZ[r]!, DTMF_COLS_HZ[c]!];
  }
  throw new Error(`not a DTMF digit: ${digit}`);
}

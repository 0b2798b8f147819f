// Amounts of public data sets, as riskstream's contracts take them: a plain non-negative decimal
// string with at most the currency's decimals. Data sets print amounts with more decimals than
// the currency has (yen with cents, floats written out); they are rounded here, on the text,
// half to even, so that no amount ever passes through a binary float.

const PLAIN = /^(\d+)(?:\.(\d*))?$/;

/**
 * `text` rounded to at most `scale` decimals, half to even, without leading zeros or a trailing
 * point ("0181.0" → "181.0", "2.345" at 2 → "2.34", "2.355" → "2.36", "99.5" at 0 → "100"); null
 * when it is not a plain non-negative decimal (a sign, an exponent, separators, blanks).
 */
export function roundDecimal(text: string, scale: number): string | null {
  const match = PLAIN.exec(text.trim());
  if (!match) return null;
  const whole = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = match[2] ?? '';
  if (fraction.length <= scale) return fraction.length === 0 ? whole : `${whole}.${fraction}`;
  const kept = fraction.slice(0, scale);
  const rest = fraction.slice(scale);
  const digits = whole + kept;
  const lastKept = Number(digits[digits.length - 1]);
  const firstDropped = Number(rest[0]);
  const beyondHalf = /[1-9]/.test(rest.slice(1));
  const up = firstDropped > 5 || (firstDropped === 5 && (beyondHalf || lastKept % 2 === 1));
  const rounded = up ? increment(digits) : digits;
  // An increment may have added a digit in front ("99.5" → "100").
  const wholeDigits = rounded.length - scale;
  const wholePart = rounded.slice(0, wholeDigits).replace(/^0+(?=\d)/, '');
  return scale === 0 ? wholePart : `${wholePart}.${rounded.slice(wholeDigits)}`;
}

/** A string of decimal digits plus one ("199" → "200", "99" → "100"). */
function increment(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === '9') {
      out[i] = '0';
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
  }
  return '1' + out.join('');
}

/**
 * Decimal formatting for the ASCII writers.
 *
 * - `formatPrintfG(x, p)` reproduces C `printf("%.<p>g", x)` as glibc prints it (ISO C
 *   7.21.6.1 `g` conversion: style `e` when the exponent X < -4 or X >= p, else style `f`
 *   with p-1-X decimals, trailing zeros and a bare point removed; two-digit minimum
 *   exponent). glibc rounds the exact binary value half-to-even; JavaScript's
 *   `toExponential` rounds exact ties upwards, so ties are detected and corrected.
 * - `formatFloat32(x)` prints the shortest decimal that reads back as the same float32
 *   (among equally short ones, the nearest, ties to even, as NumPy's Dragon4 repr does).
 * - `formatFloat64(x)` prints the shortest decimal that reads back as the same double.
 */

interface DecimalDigits {
  /** Significant digits, no point, first digit non-zero. */
  digits: string;
  /** Decimal exponent of the first digit. */
  exponent: number;
}

function splitExponential(text: string): DecimalDigits {
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e);
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  return { digits, exponent: Number(text.slice(e + 1)) };
}

/** `precision` significant digits of |value| > 0, rounded half-to-even on the exact binary value. */
function roundHalfEven(magnitude: number, precision: number): DecimalDigits {
  const rounded = splitExponential(magnitude.toExponential(precision - 1));
  const longer = splitExponential(magnitude.toExponential(precision + 5));
  const tail = longer.digits.slice(precision);
  if (tail !== '500000') return rounded;
  // Candidate exact tie: confirm with (almost) all digits toExponential can give.
  const exact = splitExponential(magnitude.toExponential(100)).digits.slice(precision);
  if (!/^50*$/.test(exact)) return rounded;
  const truncated = longer.digits.slice(0, precision);
  const last = truncated.charCodeAt(precision - 1) - 0x30;
  return last % 2 === 0 ? { digits: truncated, exponent: longer.exponent } : rounded;
}

function stripTrailingZeros(fraction: string): string {
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 0x30) end--;
  return fraction.slice(0, end);
}

function exponentSuffix(exponent: number): string {
  const magnitude = Math.abs(exponent);
  return (exponent < 0 ? 'e-' : 'e+') + (magnitude < 10 ? '0' : '') + String(magnitude);
}

function fixedFromDigits(digits: string, exponent: number): string {
  let integer: string;
  let fraction: string;
  if (exponent >= 0) {
    const padded = digits.length <= exponent ? digits + '0'.repeat(exponent + 1 - digits.length) : digits;
    integer = padded.slice(0, exponent + 1);
    fraction = padded.slice(exponent + 1);
  } else {
    integer = '0';
    fraction = '0'.repeat(-exponent - 1) + digits;
  }
  fraction = stripTrailingZeros(fraction);
  return fraction.length > 0 ? `${integer}.${fraction}` : integer;
}

function scientificFromDigits(digits: string, exponent: number): string {
  const rest = stripTrailingZeros(digits.slice(1));
  return (rest.length > 0 ? `${digits[0]}.${rest}` : digits[0]) + exponentSuffix(exponent);
}

function formatSpecial(value: number): string | undefined {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  return undefined;
}

/** C `printf("%.<precision>g", value)` as printed by glibc. */
export function formatPrintfG(value: number, precision: number): string {
  const special = formatSpecial(value);
  if (special !== undefined) return special;
  const p = Math.max(1, Math.min(94, Math.floor(precision)));
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = roundHalfEven(Math.abs(value), p);
  if (exponent < -4 || exponent >= p) return sign + scientificFromDigits(digits, exponent);
  return sign + fixedFromDigits(digits, exponent);
}

/**
 * Shortest decimal that reads back (rounded to float32) as `Math.fround(value)`.
 * Plain notation for 1e-4 <= |x| < 1e16, otherwise `d.ddde-05` style.
 */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  const special = formatSpecial(f);
  if (special !== undefined) return special;
  const magnitude = Math.abs(f);
  let best = roundHalfEven(magnitude, 9);
  for (let p = 1; p < 9; p++) {
    const candidate = roundHalfEven(magnitude, p);
    if (Math.fround(Number(`${candidate.digits}e${candidate.exponent - p + 1}`)) === magnitude) {
      best = candidate;
      break;
    }
  }
  const { digits, exponent } = best;
  const sign = f < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 16) return sign + scientificFromDigits(digits, exponent);
  return sign + fixedFromDigits(digits, exponent);
}

/** Shortest decimal that reads back as the same double (ECMAScript Number::toString). */
export function formatFloat64(value: number): string {
  const special = formatSpecial(value);
  if (special !== undefined) return special;
  return String(value);
}

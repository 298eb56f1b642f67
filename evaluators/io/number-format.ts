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

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function float32FromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/**
 * Shortest digits of a positive finite float32 `f`: the fewest significant digits whose
 * decimal lies inside f's rounding interval (the midpoints to its float32 neighbours, which
 * are exact in double arithmetic; inclusive when f's mantissa is even), taking the candidate
 * nearest to f. The result is verified and, if the double arithmetic misjudged a boundary,
 * recomputed by trying each precision in turn.
 */
function shortestFloat32Digits(f: number): DecimalDigits {
  f32[0] = f;
  const bits = u32[0];
  const below = bits === 0 ? -f : float32FromBits(bits - 1);
  const above = bits === 0x7f7fffff ? f + (f - below) : float32FromBits(bits + 1);
  const lo = (f + below) / 2;
  const hi = (f + above) / 2;
  const inclusive = (bits & 1) === 0;
  let e = Math.floor(Math.log10(f));
  if (10 ** e > f) e--;
  for (let p = 1; p <= 9; p++) {
    const shift = p - 1 - e;
    // Scale so that p-digit decimals are integers (division keeps 10^k exact for k <= 22).
    const up = shift >= 0 ? 10 ** shift : 0;
    const down = shift >= 0 ? 0 : 10 ** -shift;
    const l = shift >= 0 ? lo * up : lo / down;
    const h = shift >= 0 ? hi * up : hi / down;
    let a = Math.ceil(l);
    let b = Math.floor(h);
    if (!inclusive && a === l) a++;
    if (!inclusive && b === h) b--;
    if (a > b) continue;
    const x = shift >= 0 ? f * up : f / down;
    let n = Math.round(x);
    if (n - x === 0.5 && n % 2 !== 0) n--; // ties to even
    n = n < a ? a : n > b ? b : n;
    const digits = String(n);
    const candidate = { digits, exponent: e - p + digits.length };
    // Well inside the interval, the scaled arithmetic cannot have misjudged it.
    const margin = x * 1e-12;
    if (n - l > margin && h - n > margin) return candidate;
    if (Math.fround(Number(`${digits}e${-shift}`)) === f) return candidate;
    break;
  }
  for (let p = 1; p < 9; p++) {
    const candidate = roundHalfEven(f, p);
    if (Math.fround(Number(`${candidate.digits}e${candidate.exponent - p + 1}`)) === f) return candidate;
  }
  return roundHalfEven(f, 9);
}

/**
 * Shortest decimal that reads back (rounded to float32) as `Math.fround(value)`.
 * Plain notation for 1e-4 <= |x| < 1e16, otherwise `d.ddde-05` style.
 */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  const special = formatSpecial(f);
  if (special !== undefined) return special;
  const { digits, exponent } = shortestFloat32Digits(Math.abs(f));
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

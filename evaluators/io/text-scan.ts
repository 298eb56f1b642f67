/**
 * Allocation-free scanning of ASCII numeric text (PLY/PCD/OBJ bodies, COLMAP .txt).
 *
 * Numbers are converted with Clinger's fast path (W. D. Clinger, "How to read floating
 * point numbers accurately", PLDI 1990): a decimal with at most 15 significant digits and
 * a power-of-ten exponent |e| <= 22 is converted by one correctly rounded multiplication
 * or division of two exactly representable doubles, which gives the correctly rounded
 * result. Everything else (long mantissas, large exponents, `nan`/`inf` spellings) falls
 * back to the engine's correctly rounded `Number()`.
 */

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const VT = 0x0b;
const FF = 0x0c;

/** Exact powers of ten representable in a double (10^0 .. 10^22). */
const POW10: Float64Array = (() => {
  const table = new Float64Array(23);
  let p = 1;
  for (let i = 0; i < table.length; i++) {
    table[i] = p;
    p *= 10;
  }
  return table;
})();

/** Latin-1 text of `bytes[start, end)` (header lines and short tokens). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === VT || c === FF;
}

/** True when `text` spells a C `strtod` NaN or infinity (`nan`, `-inf`, `Infinity`, …). */
function parseSpecial(text: string): number | undefined {
  const t = text.toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.startsWith('-') || t.startsWith('+') ? t.slice(1) : t;
  if (body === 'nan' || body.startsWith('nan(')) return Number.NaN;
  if (body === 'inf' || body === 'infinity') return sign * Number.POSITIVE_INFINITY;
  return undefined;
}

/**
 * Parse `bytes[start, end)` as a decimal number. Returns NaN for text that is not a
 * number; `isNumberToken` tells a written `nan` apart from garbage.
 */
export function parseNumber(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end) {
    const c = bytes[i];
    if (c === 0x2d) {
      negative = true;
      i++;
    } else if (c === 0x2b) {
      i++;
    }
  }
  let mantissa = 0;
  let significant = 0;
  let exponent = 0;
  let digits = 0;
  while (i < end) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) break;
    if (significant > 0 || d !== 0) {
      mantissa = mantissa * 10 + d;
      significant++;
    }
    digits++;
    i++;
  }
  if (i < end && bytes[i] === 0x2e) {
    i++;
    while (i < end) {
      const d = bytes[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (significant > 0 || d !== 0) {
        mantissa = mantissa * 10 + d;
        significant++;
      }
      exponent--;
      digits++;
      i++;
    }
  }
  if (digits > 0 && i < end && (bytes[i] | 0x20) === 0x65) {
    i++;
    let expNegative = false;
    if (i < end && (bytes[i] === 0x2d || bytes[i] === 0x2b)) {
      expNegative = bytes[i] === 0x2d;
      i++;
    }
    let e = 0;
    let expDigits = 0;
    while (i < end) {
      const d = bytes[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (e < 100000) e = e * 10 + d;
      expDigits++;
      i++;
    }
    if (expDigits === 0) return slowParse(bytes, start, end);
    exponent += expNegative ? -e : e;
  }
  if (digits === 0 || i !== end || significant > 15) return slowParse(bytes, start, end);
  if (mantissa === 0) return negative ? -0 : 0;
  let value: number;
  if (exponent === 0) value = mantissa;
  else if (exponent > 0 && exponent <= 22) value = mantissa * POW10[exponent];
  else if (exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent];
  else return slowParse(bytes, start, end);
  return negative ? -value : value;
}

function slowParse(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start) return Number.NaN;
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  const special = parseSpecial(text);
  if (special !== undefined) return special;
  // Number() also accepts '', '0b1', '0o7' and surrounding spaces: keep to what strtod reads.
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(text)) return Number.NaN;
  return Number(text);
}

/** Whether `bytes[start, end)` is an explicit NaN spelling (`nan`, `-NaN`, `nan(…)`). */
export function isNanToken(bytes: Uint8Array, start: number, end: number): boolean {
  const value = parseSpecial(latin1(bytes, start, end));
  return value !== undefined && Number.isNaN(value);
}

/**
 * A cursor over ASCII text in a byte array. `next()` steps over whitespace (line breaks
 * included) to the next token; `nextOnLine()` stays on the current line. The token is
 * `bytes[tokenStart, tokenEnd)`.
 */
export class AsciiScanner {
  readonly bytes: Uint8Array;
  readonly end: number;
  pos: number;
  tokenStart = 0;
  tokenEnd = 0;
  /** 1-based number of the line the cursor is on. */
  line: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, firstLine = 1) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.line = firstLine;
  }

  /** Move to the next whitespace-separated token, crossing lines. False at the end of the text. */
  next(): boolean {
    const bytes = this.bytes;
    let i = this.pos;
    const end = this.end;
    while (i < end) {
      const c = bytes[i];
      if (c === LF) this.line++;
      else if (!isBlank(c)) break;
      i++;
    }
    if (i >= end) {
      this.pos = end;
      return false;
    }
    this.tokenStart = i;
    while (i < end) {
      const c = bytes[i];
      if (c === LF || isBlank(c)) break;
      i++;
    }
    this.tokenEnd = i;
    this.pos = i;
    return true;
  }

  /** Move to the next token on the current line. False (cursor unmoved past the line end) when none is left. */
  nextOnLine(): boolean {
    const bytes = this.bytes;
    let i = this.pos;
    const end = this.end;
    while (i < end && isBlank(bytes[i])) i++;
    if (i >= end || bytes[i] === LF) {
      this.pos = i;
      return false;
    }
    this.tokenStart = i;
    while (i < end) {
      const c = bytes[i];
      if (c === LF || isBlank(c)) break;
      i++;
    }
    this.tokenEnd = i;
    this.pos = i;
    return true;
  }

  /** Skip the rest of the current line, including its line break. False at the end of the text. */
  nextLine(): boolean {
    const bytes = this.bytes;
    let i = this.pos;
    const end = this.end;
    while (i < end && bytes[i] !== LF) i++;
    if (i >= end) {
      this.pos = end;
      return false;
    }
    this.pos = i + 1;
    this.line++;
    return this.pos < end;
  }

  /** The current token as a number (NaN when it is not one). */
  number(): number {
    return parseNumber(this.bytes, this.tokenStart, this.tokenEnd);
  }

  /** The current token as text. */
  text(): string {
    return latin1(this.bytes, this.tokenStart, this.tokenEnd);
  }

  /** Whether the current token equals the ASCII `word`. */
  tokenIs(word: string): boolean {
    if (this.tokenEnd - this.tokenStart !== word.length) return false;
    for (let k = 0; k < word.length; k++) {
      if (this.bytes[this.tokenStart + k] !== word.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Whether the current token is an explicit NaN spelling. */
  tokenIsNan(): boolean {
    return isNanToken(this.bytes, this.tokenStart, this.tokenEnd);
  }
}

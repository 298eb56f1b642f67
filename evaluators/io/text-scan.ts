/**
 * Allocation-free scanning of ASCII numeric text (PLY/PCD/OBJ bodies, COLMAP .txt).
 *
 * Numbers are converted with Clinger's fast path (W. D. Clinger, "How to read floating
 * point numbers accurately", PLDI 1990): a decimal with at most 15 significant digits and
 * a power-of-ten exponent |e| <= 22 is converted by one correctly rounded multiplication
 * or division of two exactly representable doubles, which gives the correctly rounded
 * result. Other valid decimals (longer mantissas, larger exponents) go to the engine's
 * correctly rounded `Number()`; `nan`/`inf` spellings are recognised separately.
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

/**
 * Length of the UTF-8 byte-order mark (EF BB BF) at `bytes[start]`: 3, or 0 without one.
 * Editors on Windows write it at the start of text files; readers skip it.
 */
export function utf8BomLength(bytes: Uint8Array, start = 0): number {
  return bytes.length >= start + 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf ? 3 : 0;
}

/** `text` without a leading byte-order mark (U+FEFF, as a UTF-8 BOM decodes). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

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

/** How `scanDecimal` ended: 0 converted, 1 valid decimal needing `Number()`, 2 not a plain decimal. */
let fallback = 0;

/**
 * Clinger fast path over `bytes[start, end)`. Sets `fallback` when the token is a valid
 * decimal outside the fast path (1) or not a plain decimal at all (2); the return value
 * is then meaningless.
 */
function scanDecimal(bytes: Uint8Array, start: number, end: number): number {
  fallback = 0;
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
  if (digits === 0) {
    fallback = 2;
    return 0;
  }
  if (i < end && (bytes[i] | 0x20) === 0x65) {
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
    if (expDigits === 0) {
      fallback = 2;
      return 0;
    }
    exponent += expNegative ? -e : e;
  }
  if (i !== end) {
    fallback = 2;
    return 0;
  }
  if (mantissa === 0) return negative ? -0 : 0;
  let value: number;
  if (significant > 15) {
    fallback = 1;
    return 0;
  }
  if (exponent === 0) value = mantissa;
  else if (exponent > 0 && exponent <= 22) value = mantissa * POW10[exponent];
  else if (exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent];
  else {
    fallback = 1;
    return 0;
  }
  return negative ? -value : value;
}

/**
 * Parse `bytes[start, end)` as a decimal number (`[+-]digits[.digits][e[+-]digits]`, or a
 * `nan`/`inf`/`infinity` spelling in any case). Returns NaN for anything else;
 * `isNanToken` tells a written `nan` apart from garbage.
 */
export function parseNumber(bytes: Uint8Array, start: number, end: number): number {
  const value = scanDecimal(bytes, start, end);
  if (fallback === 0) return value;
  const text = latin1(bytes, start, end);
  return fallback === 1 ? Number(text) : parseOther(text);
}

/** Text the fast scanner refused: `nan`/`inf` spellings, else NaN. */
function parseOther(text: string): number {
  return parseSpecial(text) ?? Number.NaN;
}

/** Whether `bytes[start, end)` is an explicit NaN spelling (`nan`, `-NaN`, `nan(…)`). */
export function isNanToken(bytes: Uint8Array, start: number, end: number): boolean {
  const value = parseSpecial(latin1(bytes, start, end));
  return value !== undefined && Number.isNaN(value);
}

/**
 * A cursor over ASCII text in a byte array. `next()` steps over whitespace (line breaks
 * included) to the next token; `nextOnLine()` stays on the current line. The token is
 * `bytes[tokenStart, tokenEnd)`. A UTF-8 byte-order mark at the start of the file
 * (`start` 0) is skipped.
 */
export class AsciiScanner {
  readonly bytes: Uint8Array;
  readonly end: number;
  pos: number;
  tokenStart = 0;
  tokenEnd = 0;
  /** 1-based number of the line the cursor is on. */
  line: number;
  private source: string | undefined;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, firstLine = 1) {
    this.bytes = bytes;
    this.pos = start === 0 ? utf8BomLength(bytes) : start;
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
    return this.readToken(i);
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
    return this.readToken(i);
  }

  /** The token starting at i: up to the next blank or line break. */
  private readToken(i: number): true {
    const bytes = this.bytes;
    const end = this.end;
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
    const value = scanDecimal(this.bytes, this.tokenStart, this.tokenEnd);
    if (fallback === 0) return value;
    return fallback === 1 ? Number(this.text()) : parseOther(this.text());
  }

  /** The current token as text. */
  text(): string {
    // Decoding the whole text once makes each token a cheap slice.
    this.source ??= latin1(this.bytes, 0, this.end);
    return this.source.slice(this.tokenStart, this.tokenEnd);
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

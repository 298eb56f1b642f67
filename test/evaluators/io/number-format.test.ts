import { describe, expect, it } from 'vitest';
import { formatFloat32, formatFloat64, formatPrintfG } from '../../../evaluators/io/index.js';
import { parseNumber } from '../../../evaluators/io/text-scan.js';
import { rng } from '../../helpers/random.js';

// References printed by Python's '%.10g' % x (correctly rounded, ties to even, as glibc printf).
const PRINTF_10G: [number, string][] = [
  [100000.03125, '100000.0312'], [100000.09375, '100000.0938'], [100000.15625, '100000.1562'], [100000.21875, '100000.2188'],
  [1.5, '1.5'], [0.5, '0.5'], [2.5e-5, '2.5e-05'], [1e-4, '0.0001'], [1e-5, '1e-05'], [9.9999999995, '9.999999999'],
  [99999.99999, '99999.99999'], [123456789012.0, '1.23456789e+11'], [1e10, '1e+10'], [9999999999.5, '1e+10'],
  [-3.4028234663852886e38, '-3.402823466e+38'], [1.401298464324817e-45, '1.401298464e-45'], [1.344829079e-38, '1.344829079e-38'],
  [65504, '65504'], [1234567.125, '1234567.125'], [0.1, '0.1'], [2 ** -20, '9.536743164e-07'], [12345.678, '12345.678'],
  [1e100, '1e+100'], [5e-324, '4.940656458e-324'], [0, '0'], [-0, '-0'], [Number.NaN, 'nan'], [-Infinity, '-inf'],
];

// References from NumPy's shortest float32 repr (format_float_positional / _scientific), trailing '.' dropped.
const SHORTEST_F32: [number, string][] = [
  [204.0919189453125, '204.09192'], [-255.56649780273438, '-255.5665'], [41.80988311767578, '41.809883'],
  [-56.77696228027344, '-56.776962'], [-45.264930725097656, '-45.26493'], [-21.559717178344727, '-21.559717'],
  [-201.9986114501953, '-201.99861'], [-23.1932373046875, '-23.193237'], [147.828125, '147.82812'],
  [4.603257548296824e-05, '4.6032575e-05'], [9.999999747378752e-05, '0.0001'], [9.99999901978299e-05, '9.999999e-05'],
  [0.10000000149011612, '0.1'], [0.3333333432674408, '0.33333334'], [16777216, '16777216'], [1.0000000272564224e16, '1e+16'],
  [9990000514957312, '9990000000000000'], [3.4028234663852886e38, '3.4028235e+38'], [1.401298464324817e-45, '1e-45'],
  [0.30000001192092896, '0.3'], [100, '100'], [2.5, '2.5'],
];

describe('number formatting', () => {
  it.each(PRINTF_10G)('%%.10g of %s is %s', (value, text) => {
    expect(formatPrintfG(value, 10)).toBe(text);
  });

  it('%.Ng for other precisions (ties to even on the exact binary value)', () => {
    expect(formatPrintfG(0.0001235, 3)).toBe('0.000123');
    expect(formatPrintfG(0.25, 1)).toBe('0.2');
    expect(formatPrintfG(0.35, 1)).toBe('0.3');
    expect(formatPrintfG(2.5e-7, 2)).toBe('2.5e-07');
    expect(formatPrintfG(123456, 6)).toBe('123456');
    expect(formatPrintfG(1234567, 6)).toBe('1.23457e+06');
  });

  it.each(SHORTEST_F32)('shortest float32 of %s is %s', (value, text) => {
    expect(formatFloat32(value)).toBe(text);
  });

  it('shortest decimals read back exactly', () => {
    const rand = rng(12);
    for (let i = 0; i < 20000; i++) {
      const bits = Math.floor(rand() * 0x7f800000);
      const f = new Float32Array(new Uint32Array([bits]).buffer)[0] * (rand() < 0.5 ? -1 : 1);
      expect(Math.fround(Number(formatFloat32(f)))).toBe(f);
      const d = (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
      expect(Number(formatFloat64(d))).toBe(d);
      expect(Math.fround(Number(formatPrintfG(f, 10)))).toBe(f);
    }
  });
});

describe('ASCII number parsing', () => {
  it('agrees with Number() on random decimal spellings (fast path and fallback)', () => {
    const rand = rng(77);
    const parse = (s: string) => parseNumber(new Uint8Array(Buffer.from(s)), 0, s.length);
    for (let i = 0; i < 50000; i++) {
      const digits = 1 + Math.floor(rand() * 19);
      let mantissa = '';
      for (let k = 0; k < digits; k++) mantissa += String(Math.floor(rand() * 10));
      const point = Math.floor(rand() * (digits + 1));
      let s = mantissa.slice(0, point) + (rand() < 0.8 ? '.' : '') + mantissa.slice(point);
      if (rand() < 0.3) s += (rand() < 0.5 ? 'e' : 'E') + (rand() < 0.5 ? '-' : '+') + String(Math.floor(rand() * 40));
      if (rand() < 0.5) s = '-' + s;
      expect(parse(s), s).toBe(Number(s));
    }
    expect(parse('-0')).toBe(-0);
    expect(parse('1e400')).toBe(Infinity);
    expect(parse('nan')).toBeNaN();
    expect(parse('-inf')).toBe(-Infinity);
    expect(parse('Infinity')).toBe(Infinity);
    for (const bad of ['', '-', '.', 'e5', '1e', '1.2.3', '0b11', 'abc', '1,5', '--1']) expect(parse(bad), bad).toBeNaN();
  });
});

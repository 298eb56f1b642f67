import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeLandmarksJson, encodeNpy, readLandmarks, writeLandmarksJson } from '../../../evaluators/io/index.js';
import { ictSevenLandmarks } from '../../helpers/faces.js';
import { expectInputError, fileSaver, scratchDir } from './support.js';


describe('landmark files', () => {
  const dir = scratchDir('lm');
  const lm = ictSevenLandmarks();
  const save = fileSaver(dir);
  const rows = (f: (x: number, y: number, z: number) => string): string =>
    Array.from({ length: 7 }, (_, i) => f(lm[3 * i], lm[3 * i + 1], lm[3 * i + 2])).join('\n');

  it('the ICT seven landmarks are where the fixture README says (outer left-eye corner x = +44.6)', () => {
    // Index 3 is iBUG 45, the outer corner of the subject's left eye.
    expect(lm[9]).toBeCloseTo(44.6, 1);
  });

  it('reads all four formats to the same values', () => {
    const json = save('lm.json', encodeLandmarksJson(lm));
    const wrapped = save('lm-wrapped.json', JSON.stringify({ landmarks: Array.from({ length: 7 }, (_, i) => [lm[3 * i], lm[3 * i + 1], lm[3 * i + 2]]) }));
    const npy32 = save('lm32.npy', encodeNpy(Float32Array.from(lm), [7, 3]));
    const npy64 = save('lm64.npy', encodeNpy(lm, [1, 7, 3], '<f8'));
    const txt = save('lm.txt', `# seven landmarks\n\n${rows((x, y, z) => `${x} ${y}\t${z}`)}\n\n`);
    const csv = save('lm-comma.txt', rows((x, y, z) => `${x}, ${y}, ${z}  # note`).replace(/\n/g, '\r\n'));
    const pp = save('lm.pp', [
      '<!DOCTYPE PickedPoints>', '<PickedPoints>', ' <DocumentData>', '  <DataFileName name="scan.ply"/>', ' </DocumentData>',
      rows((x, y, z) => ` <point x="${x}" y="${y}" z="${z}" name="p" active="1"/>`), '</PickedPoints>',
    ].join('\n'));
    const ppOld = save('lm-old.pp', `<PickedPoints>\n${rows((x, y, z) => `<point name='p' z='${z}' active='0' x='${x}'\n y='${y}'/>`)}\n</PickedPoints>`);
    for (const path of [json, wrapped, npy64, txt, csv, pp, ppOld]) expect(readLandmarks(path), path).toEqual(lm);
    expect(readLandmarks(npy32)).toEqual(lm.map(Math.fround));
  });

  it('converts units and honours count', () => {
    const metres = lm.map((v) => v / 1000);
    const path = save('m.json', encodeLandmarksJson(metres));
    const back = readLandmarks(path, { unit: 'm' });
    for (let i = 0; i < 21; i++) expect(back[i]).toBeCloseTo(lm[i], 10);
    const five = save('five.txt', '1 2 3\n4 5 6\n7 8 9\n10 11 12\n13 14 15\n');
    expect(Array.from(readLandmarks(five, { count: 5, unit: 'cm' }))).toEqual(Array.from({ length: 15 }, (_, i) => 10 * (i + 1)));
  });

  it('writeLandmarksJson writes [[x,y,z], …] that reads back exactly', () => {
    const path = join(dir, 'out', 'landmarks.json');
    writeLandmarksJson(path, lm);
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as number[][];
    expect(parsed.length).toBe(7);
    expect(parsed.flat()).toEqual(Array.from(lm));
    expect(readLandmarks(path)).toEqual(lm);
  });

  it('refuses wrong counts, shapes, types and NaN', () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['lm.npy', encodeNpy(new Float32Array(68 * 3), [68, 3]), /^expected 7 landmarks of shape \(7,3\), got \(68,3\)$/],
      ['flat.npy', encodeNpy(new Float32Array(21), [21]), /expected 7 landmarks of shape \(7,3\), got \(21\) \(a flat array\)/],
      ['int.npy', encodeNpy(new Int32Array(21), [7, 3]), /must be float32 or float64, got dtype '<i4'/],
      ['nan.npy', encodeNpy(Float64Array.from({ length: 21 }, (_, i) => (i === 13 ? Number.NaN : i)), [7, 3]), /landmark 4 has a non-finite coordinate \(NaN\)/],
      ['six.txt', '1 2 3\n'.repeat(6), /expected 7 landmarks .* got 6 lines/],
      ['four.txt', '1 2 3 4\n'.repeat(7), /line 1: expected 3 numbers 'x y z', got 4/],
      ['word.txt', '1 2 3\n1 two 3\n', /line 2: 'two' is not a number/],
      ['nan.txt', '1 2 3\n'.repeat(6) + 'nan 1 1\n', /landmark 6 has a non-finite coordinate/],
      ['eight.json', JSON.stringify(Array.from({ length: 8 }, () => [1, 2, 3])), /expected 7 landmarks of shape \(7,3\), got \(8,3\)/],
      ['pairs.json', JSON.stringify(Array.from({ length: 7 }, () => [1, 2])), /got \(7,2\)/],
      ['text.json', JSON.stringify(Array.from({ length: 7 }, () => [1, 'a', 3])), /landmark 0: \[1,"a",3\] holds a value that is not a number/],
      ['null.json', JSON.stringify(Array.from({ length: 7 }, (_, i) => [1, i === 2 ? null : 2, 3])), /landmark 2 has a non-finite coordinate/],
      ['object.json', '{"points": []}', /expected a list \[\[x,y,z\], …\] of 7 landmarks/],
      ['broken.json', '[[1,2,3]', /invalid JSON/],
      ['three.pp', '<PickedPoints><point x="1" y="2" z="3"/></PickedPoints>', /expected 7 landmarks .* got 1/],
      ['noz.pp', '<PickedPoints><point x="1" y="2"/></PickedPoints>', /picked point 0 has no 'z' attribute/],
      ['lm.csv', '1,2,3', /unsupported landmark file type '\.csv'; use \.npy, \.txt, \.json or MeshLab \.pp/],
    ];
    for (const [name, content, pattern] of cases) {
      const path = save(name, content);
      expectInputError(() => readLandmarks(path), path, pattern);
    }
    expectInputError(() => readLandmarks(join(dir, 'missing.json')), join(dir, 'missing.json'), /^file not found$/);
  });
});

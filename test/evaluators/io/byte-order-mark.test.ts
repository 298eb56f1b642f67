/**
 * Text inputs saved with a UTF-8 byte-order mark (as editors on Windows do) read the same
 * as without it: landmark files (.json, .txt, .pp), OBJ meshes and COLMAP points3D.txt.
 */
import { describe, expect, it } from 'vitest';
import { readLandmarks, readMesh, readPointCloud } from '../../../evaluators/io/index.js';
import { expectInputError, fileSaver, scratchDir } from './support.js';

const BOM = '\uFEFF';

/** Seven landmarks with distinct coordinates, in mm. */
const SEVEN = [
  [-45.5, 30, 10], [-15.25, 31, 12], [15.75, 30.5, 12], [46, 29, 10], [0.5, -5, 30], [-25, -35, 15], [26, -36, 15.5],
];

describe('UTF-8 byte-order mark', () => {
  const save = fileSaver(scratchDir('bom'));
  const expected = SEVEN.flat();

  const landmarkFiles: [string, string][] = [
    ['json list', `.json|${JSON.stringify(SEVEN)}`],
    ['json object', `.json|${JSON.stringify({ landmarks: SEVEN })}`],
    ['txt', `.txt|${SEVEN.map((p) => p.join(' ')).join('\n')}\n`],
    ['txt with a comment first', `.txt|# x y z\n${SEVEN.map((p) => p.join(', ')).join('\n')}\n`],
    ['MeshLab pp', `.pp|<!DOCTYPE PickedPoints>\n<PickedPoints>\n${SEVEN.map((p, i) => ` <point x="${p[0]}" y="${p[1]}" z="${p[2]}" name="${i}" active="1"/>`).join('\n')}\n</PickedPoints>\n`],
  ];
  for (const [name, spec] of landmarkFiles) {
    it(`landmarks: ${name}`, () => {
      const [ext, text] = [spec.slice(0, spec.indexOf('|')), spec.slice(spec.indexOf('|') + 1)];
      const file = name.replace(/\W+/g, '-');
      expect(Array.from(readLandmarks(save(`${file}${ext}`, text)))).toEqual(expected);
      expect(Array.from(readLandmarks(save(`${file}-bom${ext}`, BOM + text)))).toEqual(expected);
      expect(Array.from(readLandmarks(save(`${file}-bom-cm${ext}`, BOM + text), { unit: 'cm' }))).toEqual(expected.map((v) => v * 10));
    });
  }

  it('landmarks saved as UTF-16 are refused with what to do', () => {
    const text = JSON.stringify(SEVEN);
    const path = save('utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expectInputError(() => readLandmarks(path), path, /^is UTF-16 text; save it as UTF-8/);
  });

  it('an OBJ mesh keeps its first vertex', () => {
    const text = 'v 0 0 0\nv 10 0 0\nv 0 10 0\nv 0 0 10\nf 1 2 3\nf 1 3 4\n';
    const mesh = readMesh(save('mesh.obj', BOM + text));
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10]);
    expect(Array.from(mesh.faces)).toEqual([0, 1, 2, 0, 2, 3]);
  });

  it('a COLMAP points3D.txt starting with its comment line', () => {
    const text = '# 3D point list with one line of data per point:\n1 1.5 2.5 3.5 255 128 0 0.25 7 0\n2 -1 -2 -3 0 0 255 0.5 7 1\n';
    const cloud = readPointCloud(save('points3D.txt', BOM + text));
    expect(Array.from(cloud.positions)).toEqual([1.5, 2.5, 3.5, -1, -2, -3]);
  });
});

/**
 * The binary vertex reader takes each column straight into its array (typed-array views for
 * aligned floats in the platform's byte order, DataView otherwise). Every layout it chooses
 * between is checked here against values written independently by DataView: float64 and
 * float32, both byte orders, records whose float columns are and are not aligned (a uchar
 * colour or a 1-byte pad between them), and headers whose length puts the body at every
 * offset modulo 8.
 */
import { describe, expect, it } from 'vitest';
import { parsePly } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';

type Column = { name: string; type: 'float' | 'double' | 'uchar' };

function encode(columns: Column[], rows: number[][], little: boolean, comment: string): Uint8Array {
  const header = [
    'ply', `format binary_${little ? 'little' : 'big'}_endian 1.0`, `comment ${comment}`,
    `element vertex ${rows.length}`, ...columns.map((c) => `property ${c.type} ${c.name}`), 'end_header', '',
  ].join('\n');
  const head = new TextEncoder().encode(header);
  const size = (t: Column['type']) => (t === 'double' ? 8 : t === 'float' ? 4 : 1);
  const stride = columns.reduce((s, c) => s + size(c.type), 0);
  const out = new Uint8Array(head.length + rows.length * stride);
  out.set(head);
  const view = new DataView(out.buffer);
  rows.forEach((row, i) => {
    let at = head.length + i * stride;
    columns.forEach((c, k) => {
      if (c.type === 'double') view.setFloat64(at, row[k], little);
      else if (c.type === 'float') view.setFloat32(at, row[k], little);
      else view.setUint8(at, row[k]);
      at += size(c.type);
    });
  });
  return out;
}

const XYZN = ['x', 'y', 'z', 'nx', 'ny', 'nz'];

describe('binary PLY vertex columns', () => {
  const random = rng(7);
  const rows = Array.from({ length: 37 }, () => [...XYZN.map(() => (random() - 0.5) * 400), ...[0, 1, 2].map(() => Math.floor(random() * 256))]);
  const layouts: Array<{ label: string; columns: Column[] }> = [
    { label: 'double xyz + normals', columns: XYZN.map((name) => ({ name, type: 'double' })) },
    { label: 'float xyz + normals', columns: XYZN.map((name) => ({ name, type: 'float' })) },
    {
      label: 'float xyz, uchar colour, double normals (unaligned doubles)',
      columns: [...XYZN.slice(0, 3).map((name) => ({ name, type: 'float' as const })), ...['red', 'green', 'blue'].map((name) => ({ name, type: 'uchar' as const })), ...XYZN.slice(3).map((name) => ({ name, type: 'double' as const }))],
    },
    {
      label: 'double with a 1-byte pad column',
      columns: [{ name: 'pad', type: 'uchar' }, ...XYZN.map((name) => ({ name, type: 'double' as const }))],
    },
  ];
  for (const { label, columns } of layouts) {
    for (const little of [true, false]) {
      // Comments of 0..7 extra characters put the body at every offset modulo 8.
      for (let shift = 0; shift < 8; shift++) {
        it(`${label}, ${little ? 'little' : 'big'} endian, body offset +${shift}`, () => {
          const values = rows.map((r) => columns.map((c) => {
            const k = XYZN.indexOf(c.name);
            if (k >= 0) return r[k];
            const colour = ['red', 'green', 'blue'].indexOf(c.name);
            return colour >= 0 ? r[6 + colour] : 0;
          }));
          const mesh = parsePly(encode(columns, values, little, 'x'.repeat(shift + 1)), 'columns.ply');
          const round = (v: number, c: Column | undefined) => (c?.type === 'float' ? Math.fround(v) : v);
          const byName = (name: string) => columns.find((c) => c.name === name);
          for (let i = 0; i < rows.length; i++) {
            for (let a = 0; a < 3; a++) {
              expect(mesh.positions[3 * i + a]).toBe(round(rows[i][a], byName(XYZN[a])));
              expect(mesh.normals![3 * i + a]).toBe(round(rows[i][3 + a], byName(XYZN[3 + a])));
            }
            if (byName('red')) expect(Array.from(mesh.colors!.subarray(3 * i, 3 * i + 3))).toEqual(rows[i].slice(6, 9));
          }
          if (!byName('red')) expect(mesh.colors).toBeUndefined();
        });
      }
    }
  }
});

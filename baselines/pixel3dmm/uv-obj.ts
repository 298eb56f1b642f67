/**
 * Per-vertex UVs from a textured OBJ in a model's vertex order (`vt` lines and `f v/vt`
 * corners), e.g. FLAME's texture OBJ or an ICT-FaceKit template.obj. A vertex on a UV seam has
 * several texture coordinates; it keeps the one of its first face corner (in file order), so
 * the per-vertex map is continuous on one side of every seam.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../evaluators/errors.js';

/** 2 values per vertex (NaN for a vertex no face corner gives a UV); InputError naming the file on bad input. */
export function readObjVertexUvs(path: string, vertexCount: number): Float64Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(path, `cannot read the UV OBJ (${(error as Error).message})`);
  }
  const vt: number[] = [];
  const out = new Float64Array(2 * vertexCount).fill(Number.NaN);
  let positions = 0, corners = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('v ')) positions++;
    else if (line.startsWith('vt ')) {
      const parts = line.split(/\s+/);
      const u = Number(parts[1]), v = Number(parts[2]);
      if (!Number.isFinite(u) || !Number.isFinite(v)) throw new InputError(path, `bad texture coordinate line "${line.slice(0, 60)}"`);
      vt.push(u, v);
    } else if (line.startsWith('f ')) {
      for (const corner of line.split(/\s+/).slice(1)) {
        const [vs, ts] = corner.split('/');
        if (!ts) continue;
        let vi = Number(vs), ti = Number(ts);
        if (vi < 0) vi = positions + vi + 1;
        if (ti < 0) ti = vt.length / 2 + ti + 1;
        if (!Number.isInteger(vi) || !Number.isInteger(ti) || vi < 1 || ti < 1 || ti > vt.length / 2) throw new InputError(path, `bad face corner "${corner}"`);
        if (vi > vertexCount) throw new InputError(path, `face corner ${corner} names vertex ${vi} but the model has ${vertexCount} vertices`);
        corners++;
        if (Number.isNaN(out[2 * (vi - 1)])) {
          out[2 * (vi - 1)] = vt[2 * (ti - 1)];
          out[2 * (vi - 1) + 1] = vt[2 * (ti - 1) + 1];
        }
      }
    }
  }
  if (corners === 0) throw new InputError(path, 'has no textured face corners (f v/vt): no UVs to read');
  return out;
}

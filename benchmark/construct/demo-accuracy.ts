import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readMesh, readNpy, readPointCloud } from '../../evaluators/io/index.js';
import { KdTree, TriangleBVH, createClosestPointResult } from '../../evaluators/spatial/index.js';
import { readLabelSpec } from './capture.js';
import { readManifest } from '../../evaluators/formats/index.js';

export interface MaskingAccuracy {
  scans: number;
  /** Fraction of kept GT points whose closest generating-mesh vertex has a kept label. */
  precision: number;
  /** Fraction of the generating mesh's kept-label surface with a kept GT point within `radiusMm`. */
  coverage: number;
  radiusMm: number;
}

/**
 * How well segmentation masking did on a demo benchmark, measured against the demo
 * generator's truth (`<capture>/_truth/<pid>/<SEQ>/frame_<t>/mesh.ply` and the model's vertex
 * labels): precision over the kept points, and coverage of the face-region surface, sampled
 * uniformly by area (`samples` points per scan, seeded).
 */
export function demoMaskingAccuracy(bench: string, capture: string, radiusMm = 2, samples = 4000): MaskingAccuracy {
  const manifest = readManifest(bench);
  const kept = readLabelSpec(join(capture, 'labels.json')).kept;
  const labels = readNpy(join(capture, '_truth', 'model', 'vertex_labels.npy')).data as Uint8Array;
  const scans = [
    ...manifest.persons.map((p) => ({ person: p.id, sequence: p.neutral.sequence, frame: p.neutral.frame, scan: join(bench, p.neutral.dir, 'scan.ply') })),
    ...manifest.items.map((i) => ({ person: i.person, sequence: i.sequence, frame: i.frame, scan: join(bench, i.dir, 'scan.ply') })),
  ];
  let good = 0, total = 0, covered = 0, sampled = 0;
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const hit = createClosestPointResult();
  for (const s of scans) {
    const truthPath = join(capture, '_truth', s.person, s.sequence, `frame_${String(s.frame).padStart(5, '0')}`, 'mesh.ply');
    if (!existsSync(truthPath)) throw new Error(`${truthPath}: no generator truth; masking accuracy needs a demo capture`);
    const mesh = readMesh(truthPath);
    const cloud = readPointCloud(s.scan);
    const bvh = TriangleBVH.build(mesh.positions, mesh.faces);
    const p = cloud.positions;
    for (let i = 0; i < p.length; i += 3) {
      bvh.closestPoint(p[i], p[i + 1], p[i + 2], hit);
      const corner = hit.u >= hit.v && hit.u >= hit.w ? 0 : hit.v >= hit.w ? 1 : 2;
      if (kept.has(labels[mesh.faces[3 * hit.face + corner]])) good++;
      total++;
    }
    // Coverage: area-weighted samples on triangles whose three vertices carry kept labels.
    const f = mesh.faces;
    const v = mesh.positions;
    const cum: number[] = [];
    const ids: number[] = [];
    let area = 0;
    for (let t = 0; t < f.length; t += 3) {
      if (!kept.has(labels[f[t]]) || !kept.has(labels[f[t + 1]]) || !kept.has(labels[f[t + 2]])) continue;
      const a = 3 * f[t], b = 3 * f[t + 1], c = 3 * f[t + 2];
      const e1 = [v[b] - v[a], v[b + 1] - v[a + 1], v[b + 2] - v[a + 2]];
      const e2 = [v[c] - v[a], v[c + 1] - v[a + 1], v[c + 2] - v[a + 2]];
      area += 0.5 * Math.hypot(e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]);
      cum.push(area);
      ids.push(t);
    }
    const tree = KdTree.build(p);
    for (let k = 0; k < samples; k++) {
      const target = random() * area;
      let lo = 0, hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < target) lo = mid + 1;
        else hi = mid;
      }
      const t = ids[lo];
      let r1 = random(), r2 = random();
      if (r1 + r2 > 1) { r1 = 1 - r1; r2 = 1 - r2; }
      const a = 3 * f[t], b = 3 * f[t + 1], c = 3 * f[t + 2];
      const x = (1 - r1 - r2) * v[a] + r1 * v[b] + r2 * v[c];
      const y = (1 - r1 - r2) * v[a + 1] + r1 * v[b + 1] + r2 * v[c + 1];
      const z = (1 - r1 - r2) * v[a + 2] + r1 * v[b + 2] + r2 * v[c + 2];
      if (tree.nearest(x, y, z, radiusMm * radiusMm) >= 0) covered++;
      sampled++;
    }
  }
  return { scans: scans.length, precision: good / total, coverage: covered / sampled, radiusMm };
}

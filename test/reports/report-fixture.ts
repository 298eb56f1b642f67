import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeLandmarksJson, writeNpy, writePly } from '../../evaluators/io/index.js';
import { protocolDefaults } from '../../evaluators/protocols/index.js';
import { runEval } from '../../benchmark/eval/run-eval.js';
import { listFiles } from '../../evaluators/formats/index.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../helpers/faces.js';
import { axisAngle, rng, similarity } from '../helpers/random.js';

export const PERSONS = ['001', '002'];
export const ITEMS = ['EXP-1_000_222200000', 'EXP-2_010_222200001'];
/** Expression rank written into the manifest for item k of person p. */
export const rankOf = (p: number, k: number) => 2 * p + k;

export interface ReportFixture {
  bench: string;
  results: string;
  /** Result folders per method name. */
  methods: Record<string, string>;
}

/**
 * A tiny built benchmark (2 persons × 2 items, ICT-face samples, with a manifest giving
 * expression ranks) and two methods evaluated on it with runEval: `exact` (the ICT face
 * under known similarities: zero error) and `noisy <i>&` (the same plus seeded vertex noise),
 * one of whose predictions is missing. `facebench eval` only takes plain method names, so the
 * noisy method is evaluated as `noisy` and its results.json then names it `noisy <i>&`: a
 * results document may carry any name, and the reports must escape it.
 */
export async function makeReportFixture(root: string): Promise<ReportFixture> {
  const bench = join(root, 'bench');
  const { mesh } = ictFace();
  const lm = ictSevenLandmarks();
  const ply = (path: string, s: { positions: Float64Array; normals?: Float64Array }) =>
    writePly(path, { positions: s.positions, faces: new Uint32Array(0), normals: s.normals }, { format: 'binary_little_endian', precision: 'double' });
  const manifestItems: unknown[] = [];
  const manifestPersons: unknown[] = [];
  PERSONS.forEach((pid, p) => {
    const dir = join(bench, 'persons', pid, 'neutral');
    ply(join(dir, 'scan.ply'), sampleSurface(mesh, 1500, rng(100 + p), ictFaceRegion));
    writeLandmarksJson(join(dir, 'landmarks.json'), lm);
    manifestPersons.push({ id: pid, neutral: { sequence: 'NEUTRAL', frame: 0, dir: `persons/${pid}/neutral`, points: 1500, rule: 'test' }, items: ITEMS });
    ITEMS.forEach((item, k) => {
      const itemDir = join(bench, 'items', pid, item);
      ply(join(itemDir, 'scan.ply'), sampleSurface(mesh, 1500, rng(10 * p + k), ictFaceRegion));
      writeLandmarksJson(join(itemDir, 'landmarks.json'), lm);
      writeFileSync(join(itemDir, 'meta.json'), JSON.stringify({ person: pid, item }));
      writeFileSync(join(itemDir, 'image.png'), 'not an image');
      manifestItems.push({ id: item, person: pid, sequence: item.split('_')[0], frame: k, camera: '222200000', rank: rankOf(p, k), distance: 1, dir: `items/${pid}/${item}`, points: 1500 });
    });
  });
  const files: Record<string, string> = {};
  for (const rel of listFiles(bench)) files[rel] = createHash('sha256').update(readFileSync(join(bench, rel))).digest('hex');
  const manifest = {
    schema: 'facebench-benchmark',
    version: 1,
    tool: { name: 'facebench', version: 'test' },
    created: '2026-01-01T00:00:00Z',
    source: { capture: 'test', unit: 'mm', demo: true },
    protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' },
    build: {},
    persons: manifestPersons,
    items: manifestItems,
    files,
  };
  writeFileSync(join(bench, 'manifest.json'), JSON.stringify(manifest));

  const results = join(root, 'results');
  const methods: Record<string, string> = {};
  for (const [m, [name, shown]] of [['exact', 'exact'], ['noisy', 'noisy <i>&']].entries()) {
    const pred = join(root, `pred-${m}`);
    const random = rng(7 + m);
    PERSONS.forEach((pid, p) =>
      ITEMS.forEach((item, k) => {
        const predDir = join(pred, pid, item);
        mkdirSync(predDir, { recursive: true });
        for (const task of ['posed', 'neutral']) {
          if (m === 1 && p === 1 && k === 1 && task === 'posed') continue; // missing prediction
          const R = axisAngle([random(), random(), random()], 0.4 * random());
          let positions = similarity(mesh.positions, 0.9 + 0.2 * random(), R, [random() * 30, random() * 30, random() * 30]);
          const landmarks = ictSevenLandmarks(positions);
          if (m === 1) positions = positions.map((v) => v + (1 + p + k) * (random() - 0.5));
          writePly(join(predDir, `mesh_${task}.ply`), { positions, faces: mesh.faces }, { format: 'binary_little_endian' });
          writeNpy(join(predDir, `landmarks_${task}.npy`), Float32Array.from(landmarks), [7, 3]);
        }
      }),
    );
    writeFileSync(join(pred, 'method.json'), JSON.stringify({ name, version: '1' }));
    const summary = await runEval({ bench, pred, out: results, config: protocolDefaults('nersemble'), workers: 1, progress: 'silent' });
    if (shown !== name) {
      const file = join(summary.resultsDir, 'results.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), method: shown }));
    }
    methods[shown] = summary.resultsDir;
  }
  return { bench, results, methods };
}

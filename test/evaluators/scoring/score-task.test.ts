import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLandmarksJson, writePly } from '../../../evaluators/io/index.js';
import { loadScoreInputs, protocolDefaults, scorePrediction, type ProtocolConfig } from '../../../evaluators/protocols/index.js';
import { scoreTaskDetailed } from '../../../evaluators/scoring/index.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../../helpers/faces.js';
import { gaussian, rng } from '../../helpers/random.js';
import { scratchDir } from '../io/support.js';

const dir = scratchDir('score-task');
const face = ictFace().mesh;
const landmarks = ictSevenLandmarks();
const gt = sampleSurface(face, 3000, rng(8), ictFaceRegion);
const gtPath = join(dir, 'scan.ply');
writePly(gtPath, { positions: gt.positions, normals: gt.normals, faces: new Uint32Array(0) }, { format: 'binary_little_endian', precision: 'double' });
const landmarksPath = join(dir, 'landmarks.json');
writeLandmarksJson(landmarksPath, landmarks);

/** The ICT face with every vertex moved by up to `noise` mm, as a prediction file. */
function prediction(name: string, seed: number, noise: number): string {
  const random = rng(seed);
  const path = join(dir, `${name}.ply`);
  writePly(path, { positions: face.positions.map((v) => v + noise * gaussian(random)), faces: face.faces }, { format: 'binary_little_endian', precision: 'double' });
  return path;
}

describe('scoreTaskDetailed: a GT cloud scored many times', () => {
  it('scores each prediction as a direct scoring does, whether the cloud and its point order come from the cache or not', () => {
    // 3,000 GT points over a 500-point subsample: coarse-to-fine ICP, on points in Morton order.
    const config: ProtocolConfig = { ...protocolDefaults('nersemble'), icp: { ...protocolDefaults('nersemble').icp, subsample: 500 } };
    const predictions = [prediction('a', 1, 0.3), prediction('b', 2, 0.6), prediction('a-again', 1, 0.3)];
    const records = predictions.map((pred, k) => {
      const task = { person: '001', item: `item${k}`, task: 'neutral' as const, pred, predLandmarks: landmarksPath, gt: gtPath, gtLandmarks: landmarksPath };
      const { record } = scoreTaskDetailed(task, config, 'key');
      expect(record.status).toBe('ok');
      const direct = scorePrediction(
        loadScoreInputs({ pred, predLandmarks: landmarksPath, gt: gtPath, gtLandmarks: landmarksPath, predUnit: 'mm', gtUnit: 'mm' }),
        config,
      );
      expect(record.metrics).toEqual(direct.metrics);
      expect(record.alignment).toEqual(direct.alignment);
      return record;
    });
    expect(records[2].metrics).toEqual(records[0].metrics);
    expect(records[1].metrics).not.toEqual(records[0].metrics);
    expect(records[0].alignment!.iterations).toBeGreaterThan(0);
  });
});

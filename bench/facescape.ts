/**
 * One FaceScape sample scored by the `facescape-lab` and `facescape-wild` protocols
 * (depth maps, depth alignment, two cylindrical unwrappings, CD both ways, MNE, CR), in
 * this thread, on a GT the size of a dense head scan (the ICT head subdivided once: 89k
 * triangles) against a prediction of 22k triangles. The reference measured in the same run
 * is the nersemble scoring (landmarks + ICP + metrics) of the same prediction against 100k
 * points sampled from that GT. FaceScape's own code documents a few hours for its 14 methods
 * × 1,060 samples (about 1 s per sample with Embree, more without).
 */
import { pathToFileURL } from 'node:url';
import { subdivideMidpoint } from '../data/face-model.js';
import type { TriangleMesh } from '../evaluators/geometry/types.js';
import { protocolDefaults, scoreFacescape, scorePrediction, type FacescapeView } from '../evaluators/protocols/index.js';
import { ictFace, lcg, sampleSurface, sevenLandmarks } from './synthetic.js';
import { median } from './timing.js';

function transformed(mesh: TriangleMesh, f: (x: number, y: number, z: number) => [number, number, number]): TriangleMesh {
  const positions = new Float64Array(mesh.positions.length);
  for (let i = 0; i < positions.length; i += 3) [positions[i], positions[i + 1], positions[i + 2]] = f(mesh.positions[i], mesh.positions[i + 1], mesh.positions[i + 2]);
  return { positions, faces: mesh.faces };
}

export async function runFacescapeBench(repeats = 7): Promise<Record<string, number>> {
  const { mesh: head, landmarks68 } = ictFace();
  const random = lcg(5);
  // The prediction: the head with a smooth 2-mm bulge and 0.3 mm of noise.
  const predHead = transformed(head, (x, y, z) => {
    const bump = 2 * Math.exp(-((x - 20) ** 2 + (y - 10) ** 2) / 400);
    return [x + 0.3 * (random() - 0.5), y + 0.3 * (random() - 0.5), z + bump + 0.3 * (random() - 0.5)];
  });
  const gtHead: TriangleMesh = subdivideMidpoint(head.positions, head.faces);
  // In-the-lab: OpenCV camera frame 1.5 m in front of a 1200-px camera, face towards the camera.
  const toCamera = (m: TriangleMesh, k = 1) => transformed(m, (x, y, z) => [k * x, k * -y, k * (1500 - z)]);
  const labView: FacescapeView = { set: 'fslab', pupilScale: 1, K: [1200, 0, 128, 0, 1200, 128, 0, 0, 1], headCentre: [0, 0, 1500], rotation: [1, 0, 0, 0, -1, 0, 0, 0, -1] };
  const labGt = toCamera(gtHead), labPred = toCamera(predHead, 1.03);
  // In-the-wild: FaceScape's orthographic cube, pupil scale 150.
  const s = 150;
  const wildView: FacescapeView = { set: 'fswild', pupilScale: s, headCentre: [0, 0, -2], rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const toCube = (m: TriangleMesh, dz = 0) => transformed(m, (x, y, z) => [x / s, y / s, z / s - 2 + dz]);
  const wildGt = toCube(gtHead), wildPred = toCube(predHead, 0.1);
  // The reference: nersemble scoring of the prediction against 100k points of the GT.
  const cloud = sampleSurface(gtHead, 100_000, 0, random);
  const lm = sevenLandmarks(head.positions, landmarks68);
  const config = protocolDefaults('nersemble');

  const times: Record<string, number[]> = { lab: [], wild: [], reference: [] };
  let cd = 0;
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    cd = scoreFacescape({ gt: labGt, pred: labPred, view: labView }).cd;
    times.lab.push((performance.now() - t) / 1000);
    t = performance.now();
    scoreFacescape({ gt: wildGt, pred: wildPred, view: wildView });
    times.wild.push((performance.now() - t) / 1000);
    t = performance.now();
    scorePrediction({ pred: predHead, predLandmarks: lm, gt: { positions: cloud.positions, normals: cloud.normals }, gtLandmarks: lm }, config);
    times.reference.push((performance.now() - t) / 1000);
  }
  // The first round compiles the code: medians of the rest.
  const lab = median(times.lab.slice(1)), wild = median(times.wild.slice(1)), reference = median(times.reference.slice(1));
  console.log(
    `facescape sample (GT ${gtHead.faces.length / 3} triangles, prediction ${head.faces.length / 3}), one thread: ` +
      `lab ${lab.toFixed(3)} s, wild ${wild.toFixed(3)} s (CD ${cd.toFixed(3)} mm); ` +
      `nersemble score of the same prediction vs 100k points ${reference.toFixed(3)} s (lab ${(lab / reference).toFixed(2)}x of it)`,
  );
  return { facescape_lab_seconds: lab, facescape_wild_seconds: wild, nersemble_reference_seconds: reference };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runFacescapeBench();
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInputError } from '../../../evaluators/errors.js';
import { writePly } from '../../../evaluators/io/index.js';
import { evaluateModel, loadFlame, sevenLandmarks } from '../../../baselines/models/index.js';
import { pixel3dmmImport, readTrackerFrame } from '../../../baselines/pixel3dmm-import/index.js';
import { FLAME_SCHEMA } from '../models/fixture-check.js';
import { tempDir } from '../../benchmark/cli-helpers.js';
import { F32, pickleFrame, torchSaveFrame, zipArchive, type FrameValue } from './frame-writer.js';

/**
 * `pixel3dmm-import` on tracker outputs written in the tracker's exact format (torch.save zip +
 * pickle protocol 2 of numpy arrays) with the synthetic FLAME-layout fixture (200 vertices,
 * 10 identity and 10 expression modes): the neutral mesh is the model with the fitted identity
 * only, the posed mesh the tracker's mesh/<frame>.ply; malformed checkpoints are refused.
 */
const MODEL = join(FLAME_SCHEMA, 'generic_model.pkl');
const EMBEDDING = join(FLAME_SCHEMA, 'landmark_embedding.npy');
const flame = loadFlame(MODEL, { landmarkEmbedding: EMBEDDING });

const identity = Array.from({ length: 10 }, (_v, i) => 0.3 * Math.sin(i + 1));
const expression = Array.from({ length: 10 }, (_v, i) => 0.2 * Math.cos(2 * i));
const sixD = [1, 0, 0, 0, 1, 0];

function frame(overrides: Record<string, FrameValue> = {}, flameOverrides: Record<string, FrameValue> = {}): FrameValue {
  return {
    flame: {
      exp: new F32([1, 10], expression), shape: new F32([1, 10], identity), eyes: new F32([1, 12], [...sixD, ...sixD]), eyelids: new F32([1, 2], [0, 0]),
      jaw: new F32([1, 6], sixD), neck: new F32([1, 6], sixD), R: new F32([1, 6], sixD), R_rotation_matrix: new F32([1, 3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]), t: new F32([1, 3], [0, 0, 0]),
      ...flameOverrides,
    },
    img_size: new F32([2], [512, 512]),
    frame_id: 0,
    global_step: 1200,
    camera: { R_base_0: new F32([1, 3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]), t_base_0: new F32([1, 3], [0, 0, 1]), fl: new F32([1, 1], [2.1]), pp: new F32([1, 2], [0, 0]) },
    joint_transforms: new F32([1, 5, 4, 4], new Array(80).fill(0)),
    ...overrides,
  };
}

describe('pixel3dmm-import', () => {
  const root = tempDir('pixel3dmm-import');
  const from = join(root, 'tracked');
  // The posed mesh as the tracker writes it: FLAME with every parameter, in metres.
  const posedMm = evaluateModel(flame, { identity, expression, jointRotations: [0, 0.1, 0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0] });

  const writeItem = (dir: string, bytes: Uint8Array, mesh = true): void => {
    mkdirSync(join(dir, 'checkpoint'), { recursive: true });
    mkdirSync(join(dir, 'mesh'), { recursive: true });
    writeFileSync(join(dir, 'checkpoint', '00000.frame'), bytes);
    if (mesh) writePly(join(dir, 'mesh', '00000.ply'), { positions: posedMm.map((x) => x / 1000), faces: flame.faces });
  };
  const predict = (person: string, item: string) =>
    pixel3dmmImport.predict({ person: { id: person }, item: { id: item, person } } as never, { from, model: MODEL, landmarkEmbedding: EMBEDDING });
  const refusal = async (bytes: Uint8Array): Promise<string> => {
    writeItem(join(from, 'p1', 'bad'), bytes);
    const error = await predict('p1', 'bad').then(() => undefined, (e: unknown) => e);
    expect(isInputError(error), String(error)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  };

  it('reads the checkpoint: every key, numpy arrays of protocol-2 pickles, stored or deflated', () => {
    for (const deflate of [false, true]) {
      const file = join(root, `read-${deflate}.frame`);
      writeFileSync(file, torchSaveFrame(frame(), '00000', deflate));
      const f = readTrackerFrame(file);
      expect(f.frameId).toBe(0);
      expect(f.flame.get('shape')!.shape).toEqual([1, 10]);
      for (let i = 0; i < 10; i++) expect(f.flame.get('shape')!.data[i]).toBe(Math.fround(identity[i]));
      expect(Array.from(f.flame.get('jaw')!.data)).toEqual(sixD);
      expect(f.camera.get('fl')!.data[0]).toBeCloseTo(2.1, 6);
    }
  });

  it('neutral = the model with the fitted identity only; posed = the tracker mesh (mm); landmarks from the embedding', async () => {
    writeItem(join(from, 'p1', 'EXP-2_003_cam1'), torchSaveFrame(frame()));
    await pixel3dmmImport.prepare!({ bench: root, manifest: {} as never, options: { from, model: MODEL, landmarkEmbedding: EMBEDDING } });
    const p = await predict('p1', 'EXP-2_003_cam1');
    const neutral = evaluateModel(flame, { identity: identity.map(Math.fround) });
    expect(p.neutral!.positions.length).toBe(neutral.length);
    for (let i = 0; i < neutral.length; i++) expect(p.neutral!.positions[i]).toBeCloseTo(neutral[i], 9);
    // Not the expression: the neutral differs from the model with the fitted expression.
    const withExpression = evaluateModel(flame, { identity, expression });
    expect(Math.max(...Array.from(withExpression, (x, i) => Math.abs(x - p.neutral!.positions[i])))).toBeGreaterThan(0.01);
    for (let i = 0; i < posedMm.length; i++) expect(p.posed!.positions[i]).toBeCloseTo(posedMm[i], 3);
    expect(Array.from(p.posed!.faces)).toEqual(Array.from(flame.faces));
    const lm = sevenLandmarks(flame, p.neutral!.positions as Float64Array);
    expect(Array.from(p.landmarksNeutral!)).toEqual(Array.from(lm));
    // The flat layout <from>/<item>/ works too.
    writeItem(join(from, 'ITEM-flat'), torchSaveFrame(frame(), '00000', true));
    const flat = await predict('p2', 'ITEM-flat');
    expect(Array.from(flat.neutral!.positions)).toEqual(Array.from(p.neutral!.positions));
  });

  it('refuses malformed checkpoints with one line naming the file', async () => {
    expect(await refusal(new TextEncoder().encode('not a zip at all, just text'))).toMatch(/00000\.frame: not a zip archive/);
    expect(await refusal(zipArchive([['00000/version', new TextEncoder().encode('3\n')]]))).toMatch(/no <name>\/data\.pkl/);
    expect(await refusal(zipArchive([['00000/data.pkl', pickleFrame(frame())], ['00000/../../evil', new Uint8Array(3)]]))).toMatch(/entry name "00000\/\.\.\/\.\.\/evil" is not a plain relative name/);
    expect(await refusal(torchSaveFrame(frame({ extra: 1 })))).toMatch(/unknown key "extra"/);
    expect(await refusal(torchSaveFrame(frame({}, { pose: new F32([1, 3], [0, 0, 0]) })))).toMatch(/unknown FLAME parameter "flame\.pose"/);
    expect(await refusal(torchSaveFrame(frame({}, { jaw: new F32([1, 3], [0, 0, 0]) })))).toMatch(/flame\.jaw has shape \(1, 3\), expected \(1, 6\)/);
    expect(await refusal(torchSaveFrame(frame({}, { shape: new F32([2, 10], [...identity, ...identity]) })))).toMatch(/flame\.shape has shape \(2, 10\)/);
    expect(await refusal(torchSaveFrame(frame({}, { shape: new F32([1, 12], new Array(12).fill(0)) })))).toMatch(/flame\.shape has 12 identity coefficients, the model .* has 10/);
    expect(await refusal(torchSaveFrame(frame({}, { shape: new F32([1, 10], [Number.NaN, ...identity.slice(1)]) })))).toMatch(/non-finite/);
    const truncated = torchSaveFrame(frame());
    expect(await refusal(truncated.subarray(0, truncated.length - 30))).toMatch(/zip archive/);
    // A missing tracker folder and a missing mesh are one line each too.
    const none = await predict('p1', 'missing').then(() => undefined, (e: unknown) => e);
    expect((none as Error).message).toMatch(/no tracker output for item missing/);
    writeItem(join(from, 'p1', 'nomesh'), torchSaveFrame(frame()), false);
    const noMesh = await predict('p1', 'nomesh').then(() => undefined, (e: unknown) => e);
    expect((noMesh as Error).message).toMatch(/mesh\/00000\.ply: not found/);
  });
});

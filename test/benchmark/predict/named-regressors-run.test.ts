import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { loadFlame } from '../../../baselines/models/index.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { readMethodDocument, readResultsFile, validatePredictions } from '../../../evaluators/formats/index.js';
import { meanColourRegressor } from '../../helpers/onnx-standins.js';
import { cliInProcess } from '../cli-in-process.js';
import { tempDir } from '../cli-helpers.js';
import { FIXTURES } from '../../helpers/faces.js';

/**
 * `facebench run --bench DIR --methods deca,emoca-v2,mica,smirk --models DIR` end to end on a
 * small demo benchmark, with stand-in ONNX exports and the synthetic FLAME-layout fixture in
 * the models folder: every method predicts and is scored, MICA on the neutral task only, and
 * Table 2, the leaderboard and the report show all four.
 */
describe('facebench run with the named regressors', () => {
  const root = tempDir('named-run');
  const bench = join(root, 'bench');
  const models = join(root, 'models');
  const out = join(root, 'out');
  const flameDir = join(FIXTURES, 'flame-schema');
  const flame = loadFlame(join(flameDir, 'generic_model.pkl'));

  /** A stand-in export: mean colour → Gemm per output, sized for the fixture FLAME. */
  function standIn(file: string, outputs: [string, number][], seed: number): void {
    const value = (i: number): number => Math.fround(0.4 * Math.sin(seed + 1.7 * i));
    const heads = outputs.map(([name, K], o) => ({
      name,
      W: [0, 1, 2].map((c) => Array.from({ length: K }, (_, k) => value(100 * o + c * K + k))),
      b: Array.from({ length: K }, (_, k) => (name === 'jaw' && k === 0 ? 0.1 : value(50 * o + k))),
    }));
    writeFileSync(join(models, file), meanColourRegressor(heads));
  }

  beforeAll(async () => {
    registerBuiltinMethods();
    const capture = join(root, 'capture');
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 2, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 160, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    mkdirSync(join(models, 'FLAME2020'), { recursive: true });
    cpSync(join(flameDir, 'generic_model.pkl'), join(models, 'FLAME2020', 'generic_model.pkl'));
    cpSync(join(flameDir, 'landmark_embedding.npy'), join(models, 'FLAME2020', 'landmark_embedding.npy'));
    const full: [string, number][] = [['shape', flame.identityCount], ['exp', flame.expressionCount], ['jaw', 3]];
    standIn('deca.onnx', full, 1);
    standIn('emoca-v2.onnx', full, 2);
    standIn('smirk.onnx', full, 3);
    standIn('mica.onnx', [['shape', flame.identityCount]], 4);
  });

  it('predicts, scores and reports all four; MICA on the neutral task only', async () => {
    const { exitCode, lines } = await cliInProcess(['run', '--bench', bench, '--methods', 'deca,emoca-v2', 'mica', 'smirk', '--models', models, '--out', out, '--workers', '1']);
    const text = lines.join('\n');
    expect(exitCode, text).toBe(0);
    for (const method of ['deca', 'emoca-v2', 'mica', 'smirk']) {
      const pred = join(out, 'predictions', method);
      const doc = readMethodDocument(pred)!;
      expect(doc.failures, method).toEqual([]);
      expect(doc.predicted).toBe(2);
      const results = readResultsFile(join(out, 'results', method, 'results.json'));
      const tasks = results.items.map((r) => r.task).sort();
      expect(tasks).toEqual(method === 'mica' ? ['neutral', 'neutral'] : ['neutral', 'neutral', 'posed', 'posed']);
      expect(results.items.filter((r) => r.status !== 'ok'), method).toEqual([]);
      expect(validatePredictions(bench, pred).problems, method).toEqual([]);
      // a Table-2 row for each method
      expect(text).toMatch(new RegExp(`^\\s*${method}\\s`, 'm'));
    }
    expect(readMethodDocument(join(out, 'predictions', 'mica'))!.tasks).toEqual(['neutral']);
    // Table 2: MICA's posed columns are empty and it is a neutral-only method, not an incomplete one
    expect(text).toMatch(/^mica(\s+\d+\.\d{3}){4}(\s+n\/a){4}\s+2\/2\s+neutral task only$/m);
    const board = JSON.parse(readFileSync(join(out, 'leaderboard', 'leaderboard.json'), 'utf8')) as { rows: { method: string; rank: number | null; status: string }[] };
    expect(board.rows.find((r) => r.method === 'mica')).toMatchObject({ rank: null, status: 'unranked: neutral task only' });
    expect(board.rows.filter((r) => r.rank !== null).map((r) => r.method).sort()).toEqual(['deca', 'emoca-v2', 'smirk']);
    for (const item of readdirItems(join(out, 'predictions', 'mica'))) expect(existsSync(join(item, 'mesh_posed.ply'))).toBe(false);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    for (const method of ['deca', 'emoca-v2', 'mica', 'smirk']) expect(report).toContain(method);
  });
});

/** The item folders of a predictions folder. */
function readdirItems(pred: string): string[] {
  return readdirSync(pred).filter((p) => statSync(join(pred, p)).isDirectory()).flatMap((p) => readdirSync(join(pred, p)).map((i) => join(pred, p, i)));
}

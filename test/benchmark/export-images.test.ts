import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { runBuild } from '../../benchmark/construct/index.js';
import { runEval } from '../../benchmark/eval/run-eval.js';
import { exportNames, exportSequence, exportSerial } from '../../benchmark/export/export-names.js';
import { runExport } from '../../benchmark/export/run-export.js';
import { runPredict } from '../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../data/index.js';
import { isInputError } from '../../evaluators/errors.js';
import {
  listSvfrItems, mapExportedPath, readExportMap, readManifest, readMethodDocument, SVFR_KEY, validatePredictions, type Manifest,
} from '../../evaluators/formats/index.js';
import { protocolDefaults } from '../../evaluators/protocols/index.js';
import { cliInProcess } from './cli-in-process.js';
import { listFiles, tempDir } from './cli-helpers.js';

/**
 * `facebench export-images`: a built benchmark's crops in the official SVFR download layout
 * with export-map.json; predictions made on the export (`predict --images`) map back onto the
 * benchmark (`predict --method submission --from … --map …`) and score exactly as predictions
 * made on the benchmark itself.
 */
describe('facebench export-images and mapping predictions back', () => {
  const root = tempDir('export-images');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const exported = join(root, 'export');
  let manifest: Manifest;

  const cli = cliInProcess;
  const refusal = (run: () => unknown) => {
    try {
      const result = run();
      return result instanceof Promise ? result.then(() => undefined, (e: unknown) => e as Error) : Promise.resolve(undefined);
    } catch (error) {
      return Promise.resolve(error as Error);
    }
  };

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    // Sequence names an SVFR key cannot hold (`_`, `.`), so that the export renames items.
    const sequences = join(capture, '001', 'sequences');
    for (const name of readdirSync(sequences)) if (name !== DEMO_NEUTRAL.sequence) renameSync(join(sequences, name), join(sequences, `${name.replace('-', '_')}.v2`));
    await runBuild({ capture, out: bench, unit: 'm', expressions: 3, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    manifest = readManifest(bench);
  });

  it('writes svfr/<pid>/<SEQ>_<t>_<serial>/rgb.png in the official names, byte-identical to the crops, and export-map.json', async () => {
    const run = await cli(['export-images', '--bench', bench, '--out', exported]);
    expect(run.exitCode).toBe(0);
    expect(run.lines[0]).toMatch(/^exported 3 images of 1 persons to .*\/svfr \(.*export-map\.json maps them back\)/);
    const files = listFiles(exported);
    expect(files).toHaveLength(4);
    expect(files[0]).toBe('export-map.json');
    for (const file of files.slice(1)) {
      const m = /^svfr\/(\d{3})\/([^/]+)\/rgb\.png$/.exec(file);
      expect(m, file).not.toBeNull();
      const key = SVFR_KEY.exec(m![2]);
      expect(key, file).not.toBeNull();
      expect(key![1]).toMatch(/^[A-Za-z0-9+-]+$/);
      expect(key![2]).toMatch(/^(0|[1-9]\d*)$/); // the timestep unpadded, as downloaded
    }
    const { map } = readExportMap(join(exported, 'export-map.json'), manifest);
    expect(map.items.map((e) => `${e.person}/${e.item}`)).toEqual(manifest.items.map((i) => `${i.person}/${i.id}`));
    expect(map.items.some((e) => e.svfr_key !== e.item)).toBe(true);
    for (const entry of map.items) {
      const record = manifest.items.find((i) => i.id === entry.item)!;
      expect(entry.svfr_folder).toBe(`${exportSequence(record.sequence)}_${record.frame}_${record.camera}`);
      const copy = readFileSync(join(exported, 'svfr', entry.svfr_person, entry.svfr_folder, 'rgb.png'));
      expect(copy.equals(readFileSync(join(bench, record.dir, 'image.png')))).toBe(true);
    }
    // What the official toolkit's layout reader sees.
    expect(listSvfrItems(exported).map((i) => `${i.person}/${i.id}`).sort()).toEqual(map.items.map((e) => `${e.svfr_person}/${e.svfr_key}`).sort());
  });

  it('refuses a folder that is not empty unless --force, which replaces svfr/ and the map; refuses links and the benchmark folder', async () => {
    const out = join(root, 'export-again');
    mkdirSync(join(out, 'svfr', '999', 'OLD_1_1'), { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const refused = await refusal(() => runExport({ bench, out }));
    expect(isInputError(refused)).toBe(true);
    expect(refused!.message).toMatch(/is not empty; .*--force/);
    runExport({ bench, out, force: true });
    expect(existsSync(join(out, 'svfr', '999'))).toBe(false);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(listFiles(out).filter((f) => f.includes('.tmp'))).toEqual([]);
    symlinkSync(root, join(out, 'link'));
    expect((await refusal(() => runExport({ bench, out, force: true })))!.message).toMatch(/symbolic link/);
    expect((await refusal(() => runExport({ bench, out: join(bench, 'export') })))!.message).toMatch(/inside the benchmark folder/);
  });

  it('predictions on the export map back onto the benchmark and score exactly as predictions on the benchmark', async () => {
    const onExport = join(root, 'pred-export');
    await runPredict({ images: exported, method: 'mean-shape', out: onExport, progress: 'silent' });
    // Without the map the folder is no submission for the benchmark: its keys are the exported ones.
    const unmapped = await refusal(() => runPredict({ bench, method: 'submission', options: { from: onExport }, out: join(root, 'unmapped'), progress: 'silent' }));
    expect(unmapped!.message).toMatch(/is not a valid submission/);
    const back = join(root, 'pred-back');
    const mapPath = join(exported, 'export-map.json');
    const run = await cli(['predict', '--bench', bench, '--method', 'submission', '--from', onExport, '--map', mapPath, '--out', back, '--quiet']);
    expect(run.exitCode).toBe(0);
    expect(validatePredictions(bench, back).problems).toEqual([]);
    expect(readMethodDocument(back)!.source).toMatchObject({ kind: 'benchmark', path: bench, export_map: mapPath });
    const direct = join(root, 'pred-direct');
    await runPredict({ bench, method: 'mean-shape', out: direct, progress: 'silent' });
    const score = async (pred: string, name: string) => {
      const summary = await runEval({ bench, pred, out: join(root, 'results'), method: name, config: protocolDefaults('nersemble'), workers: 1, progress: 'silent' });
      return summary.document.summary;
    };
    const viaExport = await score(back, 'via-export');
    const onBench = await score(direct, 'on-bench');
    expect(viaExport.posed!.scored).toBe(3);
    expect(viaExport.neutral!.scored).toBe(3);
    expect(viaExport.posed!.metrics).toEqual(onBench.posed!.metrics);
    expect(viaExport.neutral!.metrics).toEqual(onBench.neutral!.metrics);
    // Methods that need the benchmark's truth are refused under exported ids.
    expect((await refusal(() => runPredict({ bench, map: mapPath, method: 'oracle', out: join(root, 'oracle-mapped'), progress: 'silent' })))!.message).toMatch(/oracle cannot run on exported ids \(--map\)/);
  });

  it('refuses a map of another benchmark, one that misses items, or one that is not one to one', async () => {
    const mapPath = join(exported, 'export-map.json');
    const doc = JSON.parse(readFileSync(mapPath, 'utf8'));
    const write = (name: string, value: unknown) => {
      const path = join(root, name);
      writeFileSync(path, JSON.stringify(value));
      return path;
    };
    expect(() => readExportMap(write('other.json', { ...doc, benchmark_id: 'a'.repeat(64) }), manifest)).toThrow(/was written for benchmark aaaaaaaaaaaa… .* not for this one/);
    expect(() => readExportMap(write('short.json', { ...doc, items: doc.items.slice(1) }), manifest)).toThrow(/does not map benchmark item/);
    expect(() => readExportMap(write('twice.json', { ...doc, items: [...doc.items, doc.items[0]] }))).toThrow(/listed twice/);
    expect(() => readExportMap(write('padding.json', { ...doc, items: [{ ...doc.items[0], svfr_key: doc.items[0].svfr_folder }] }))).toThrow(/is not the submission key/);
    expect(() => readExportMap(write('escape.json', { ...doc, items: [{ ...doc.items[0], item: '../x' }] }))).toThrow(/not a plain name/);
  });

  it('maps entry names of a predictions folder or zip', () => {
    const lookup = readExportMap(join(exported, 'export-map.json'));
    const [entry] = lookup.map.items;
    expect(mapExportedPath(lookup, `${entry.svfr_person}/${entry.svfr_key}/mesh_posed.ply`)).toBe(`${entry.person}/${entry.item}/mesh_posed.ply`);
    expect(mapExportedPath(lookup, `${entry.svfr_person}/${entry.svfr_key}/`)).toBe(`${entry.person}/${entry.item}/`);
    expect(mapExportedPath(lookup, `${entry.svfr_person}/`)).toBe(`${entry.person}/`);
    expect(mapExportedPath(lookup, 'method.json')).toBe('method.json');
    expect(mapExportedPath(lookup, `${entry.svfr_person}/${entry.svfr_folder}/mesh_posed.ply`)).toBe(entry.svfr_folder === entry.svfr_key ? `${entry.person}/${entry.item}/mesh_posed.ply` : undefined);
    expect(mapExportedPath(lookup, `${entry.svfr_person}/NOPE_1_2/mesh_posed.ply`)).toBeUndefined();
  });

  it('names: persons numbered unless all three digits, sequences sanitised, non-numeric cameras numbered stably, clashes refused', () => {
    const item = (person: string, sequence: string, frame: number, camera: string) => ({
      id: `${sequence}_${String(frame).padStart(3, '0')}_${camera}`, person, sequence, frame, camera, rank: 0, distance: 0, dir: `items/${person}/x`, points: 1,
    });
    const synthetic = (items: ReturnType<typeof item>[], persons: string[]): Manifest => ({
      ...manifest,
      persons: persons.map((id) => ({ ...manifest.persons[0], id, items: items.filter((i) => i.person === id).map((i) => i.id) })),
      items,
    });
    const names = exportNames(synthetic([item('anna', 'SEN_01.cramp', 7, '222200037'), item('bob', 'EXP-1+x', 12, 'cam_left')], ['anna', 'bob']), bench);
    expect(names.map((n) => [n.svfr_person, n.svfr_folder, n.svfr_key])).toEqual([
      ['001', 'SEN-01-cramp_7_222200037', 'SEN-01-cramp_007_222200037'],
      ['002', `EXP-1+x_12_${exportSerial('cam_left')}`, `EXP-1+x_012_${exportSerial('cam_left')}`],
    ]);
    expect(exportSerial('cam_left')).toMatch(/^\d+$/);
    expect(exportSerial('cam_left')).toBe(exportSerial('cam_left'));
    expect(() => exportNames(synthetic([item('017', 'A.b', 1, '5'), item('017', 'A_b', 1, '5')], ['017']), bench)).toThrow(/would both be exported as 017\/A-b_1_5/);
    // Copies of a benchmark keep its id: a moved benchmark still takes its map.
    const moved = join(root, 'bench-moved');
    cpSync(bench, moved, { recursive: true });
    expect(() => readExportMap(join(exported, 'export-map.json'), readManifest(moved))).not.toThrow();
  });
});

/**
 * Checking a submission — a predictions folder or a submission zip — the way the NeRSemble
 * single-view benchmark server checks an upload (docs/formats.md#validation), against the
 * items of a built benchmark or of an SVFR download. The checking itself is one function over
 * the submission's entries (submission-check.ts); here are what a benchmark adds (its files
 * unchanged since it was built) and what a predictions folder adds (a method.json whose name
 * is a plain name). Every problem is collected, one line each, naming the file, its category
 * and the task it affects.
 */
import { existsSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isInputError } from '../errors.js';
import { changedFiles, readManifest, type Manifest } from './manifest.js';
import { MAPS_ONLY_DETAIL, METHOD_FILE, methodName, predictedTasks } from './predictions.js';
import { checkSubmission, problemLine, type ExpectedItem, type SubmissionProblem, type TaskStatus } from './submission-check.js';
import { openSubmission, submissionKind, type SubmissionSource } from './submission-source.js';
import { listSvfrItems } from './svfr.js';
import type { TaskName } from './tasks.js';

export interface ValidationReport {
  /** Items checked. */
  items: number;
  /** Meshes read. */
  meshes: number;
  /** `folder` or `zip`; `missing` when `pred` does not exist. */
  source: 'folder' | 'zip' | 'missing';
  tasks: Record<TaskName, TaskStatus>;
  /** One line per problem (problemLine of `issues`). */
  problems: string[];
  issues: SubmissionProblem[];
  /** Tasks not submitted and the like: not problems. */
  notes: string[];
}

export interface ValidateOptions {
  /** Tasks that must be submitted (default: those with any mesh, as the server does). */
  tasks?: readonly TaskName[];
  /**
   * The caller has checked the benchmark's files against its manifest already (`facebench serve`
   * does at start, for every upload after): skip hashing them again. Default false.
   */
  benchmarkVerified?: boolean;
  /**
   * `pred` already opened by the caller with `openSubmission` (e.g. under the server's own zip
   * limits), read instead of opening it again.
   */
  source?: SubmissionSource;
}

function report(items: number, issues: SubmissionProblem[], rest: Omit<ValidationReport, 'items' | 'problems' | 'issues'>): ValidationReport {
  return { items, ...rest, issues, problems: issues.map(problemLine) };
}

/** Check `pred` (folder or zip) against `items`, with `extra` problems found beforehand. */
function validateAgainst(pred: string, items: readonly ExpectedItem[], extra: SubmissionProblem[], options: ValidateOptions, strayItem: string): ValidationReport {
  const kind = submissionKind(pred);
  const none = { posed: 'not submitted', neutral: 'not submitted' } as const;
  if (kind === 'missing') {
    return report(items.length, [...extra, { category: 'no task submitted', task: null, file: pred, detail: 'predictions folder or submission zip not found' }], { meshes: 0, source: kind, tasks: none, notes: [] });
  }
  const issues = [...extra];
  const root = resolve(pred);
  let mapsOnly = false;
  if (kind === 'folder' && existsSync(join(root, METHOD_FILE)) && lstatSync(join(root, METHOD_FILE)).isFile()) { // a link is reported as such, never read
    try {
      methodName(root);
      mapsOnly = predictedTasks(root)?.length === 0;
    } catch (error) {
      issues.push({ category: 'invalid method.json', task: null, file: METHOD_FILE, detail: isInputError(error) ? error.detail : (error as Error).message });
    }
  }
  const check = checkSubmission((options.source ?? openSubmission(pred)).entries, items, { tasks: options.tasks, predictionsFolder: kind === 'folder', strayItem });
  // A maps-only method's folder (a normal estimator) is no mesh submission: say where it is scored.
  const problems = mapsOnly ? check.problems.map((p) => (p.category === 'no task submitted' ? { ...p, detail: `${p.detail}; ${MAPS_ONLY_DETAIL}` } : p)) : check.problems;
  return report(items.length, [...issues, ...problems], { meshes: check.meshes, source: kind, tasks: check.tasks, notes: check.notes });
}

/** Validate `pred` (a predictions folder or a submission zip) against the benchmark `bench` (or an already-read manifest). */
export function validatePredictions(bench: string, pred: string, manifest: Manifest = readManifest(bench), options: ValidateOptions = {}): ValidationReport {
  // What eval would refuse: a benchmark changed since it was built.
  const changed: SubmissionProblem[] = (options.benchmarkVerified ? [] : changedFiles(bench, manifest)).map((line) => {
    const cut = line.indexOf(': ');
    return { category: 'changed benchmark', task: null, file: `${bench}/${line.slice(0, cut)}`, detail: line.slice(cut + 2) };
  });
  return validateAgainst(pred, manifest.items.map((i) => ({ person: i.person, id: i.id })), changed, options, 'not an item of this benchmark');
}

/** Validate `pred` against the images of an SVFR download (`images` holds `svfr/` or is it): items keyed as the submission pads them. */
export function validateSvfrPredictions(images: string, pred: string, options: ValidateOptions = {}): ValidationReport {
  const items = listSvfrItems(images).map((i) => ({ person: i.person, id: i.id }));
  return validateAgainst(pred, items, [], options, 'not an item of this SVFR download');
}

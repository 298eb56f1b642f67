/**
 * The speed targets of the README's Performance section, checked against the figures of one
 * `npm run bench` (the records the benches return, merged). Each row gives the figure, the
 * target, whether it is met, and the reference measured in the same run where the target is
 * a ratio or where a ratio tells more than the machine's absolute speed.
 */

/** `facebench --help`, wall seconds. */
export const HELP_TARGET_SECONDS = 0.25;
/** Closest points near the surface of the ICT head, queries per second on one core. */
export const CLOSEST_POINT_TARGET_QPS = 2.5e6;
/** `eval` of 800 tasks of 100k GT points on 2 cores, wall seconds. */
export const EVAL_TARGET_WALL_SECONDS = 60;
/** The same as CPU seconds per task. */
export const EVAL_TARGET_CPU_S_PER_TASK = (EVAL_TARGET_WALL_SECONDS * 2) / 800;
/** `score` (full-head prediction, 200k-point GT) wall time over the Open3D script's. */
export const SCORE_TARGET_OVER_OPEN3D = 0.5;
/** `build --demo` on every core, wall seconds. */
export const BUILD_TARGET_SECONDS = 20;
/** `report` on the demo's results, wall seconds. */
export const REPORT_TARGET_SECONDS = 2;
/** `facebench run` from scratch, wall seconds. */
export const RUN_TARGET_SECONDS = 90;

/** One target's outcome in a run: `met` is null when the figure (or its reference) was not measured. */
export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | null;
  reference: string;
}

/** Key of the closest-point bench's figures on the ICT head (22,288 faces) near its surface. */
const ICT_NEAR = 'near-surface 22288';

const seconds = (s: number): string => `${s.toFixed(2)} s`;
const mqps = (q: number): string => `${(q / 1e6).toFixed(2)} M q/s`;

/** `met` for `value ≤ limit` (or ≥ with `atLeast`), null when the value was not measured. */
function check(value: number | undefined, limit: number, atLeast = false): boolean | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  return atLeast ? value >= limit : value <= limit;
}

/** Both checks met, either failed, or null when neither was measured. */
function both(a: boolean | null, b: boolean | null): boolean | null {
  if (a === null) return b;
  if (b === null) return a;
  return a && b;
}

/** An official-size run's figures (`key`: the keys' prefix) as text. */
function fullEval(f: Record<string, number>, key: string): string {
  const wall = f[`${key}_wall_s`];
  if (wall === undefined) return 'not measured';
  const unscored = f[`${key}_unscored`];
  return `${wall.toFixed(1)} s (${f[`${key}_cpu_s_per_task`].toFixed(3)} CPU-s per task${unscored > 0 ? `, ${unscored} tasks not scored` : ''})`;
}

/** An official-size run within the target with every task scored; null when not run. */
function fullEvalMet(f: Record<string, number>, key: string): boolean | null {
  const met = check(f[`${key}_wall_s`], EVAL_TARGET_WALL_SECONDS);
  return met === null ? null : met && f[`${key}_unscored`] === 0;
}

const shown = (value: number | undefined, format: (v: number) => string): string =>
  value === undefined || !Number.isFinite(value) ? 'not measured' : format(value);

/** The targets' rows from the merged figures of the benches. */
export function speedTargets(f: Record<string, number>): TargetRow[] {
  const batch = f[`closest-point ${ICT_NEAR} batch (q/s)`];
  const single = f[`closest-point ${ICT_NEAR} single (q/s)`];
  const three = f[`three-mesh-bvh ${ICT_NEAR} (q/s)`];
  const node = f.score_11248_node_over_open3d;
  const npx = f.score_11248_npx_over_open3d;
  return [
    {
      target: `facebench --help ≤ ${HELP_TARGET_SECONDS} s`,
      measured: shown(f.help_seconds, seconds),
      met: check(f.help_seconds, HELP_TARGET_SECONDS),
      reference: shown(f.node_seconds, (s) => `node -e 0: ${seconds(s)}`),
    },
    {
      target: `closest point near the ICT head's surface ≥ ${mqps(CLOSEST_POINT_TARGET_QPS)} (batch and one by one)`,
      measured: batch === undefined ? 'not measured' : `${mqps(batch)} batch, ${mqps(single)} one by one`,
      met: both(check(batch, CLOSEST_POINT_TARGET_QPS, true), check(single, CLOSEST_POINT_TARGET_QPS, true)),
      reference: shown(three, (q) => `three-mesh-bvh ${mqps(q)} (${(single / q).toFixed(1)}x slower than one by one)`),
    },
    {
      target: `eval, 800 tasks of 100k GT points, ≤ ${EVAL_TARGET_WALL_SECONDS} s on 2 cores (2 workers)`,
      measured: f.nersemble_full_eval_wall_s === undefined && f.nersemble_full_eval_shape_error_wall_s === undefined
        ? 'not measured'
        : `on the scan's surface ${fullEval(f, 'nersemble_full_eval')}, with the 1.5 mm shape error ${fullEval(f, 'nersemble_full_eval_shape_error')}`,
      met: both(fullEvalMet(f, 'nersemble_full_eval'), fullEvalMet(f, 'nersemble_full_eval_shape_error')),
      reference: shown(f.nersemble_eval_cpu_s_per_task, (c) =>
        `40 tasks, 1 worker: ${c.toFixed(3)} / ${shown(f.nersemble_eval_shape_error_cpu_s_per_task, (s) => s.toFixed(3))} CPU-s per task; ` +
        `full-cloud ICP ${shown(f.nersemble_eval_full_icp_cpu_s_per_task, (r) => `${r.toFixed(3)} (${(r / c).toFixed(2)}x)`)}`),
    },
    {
      target: `score, full head, ≤ ${SCORE_TARGET_OVER_OPEN3D}x the Open3D script (npx, start-up included)`,
      measured: node === undefined ? 'not measured' : `npx ${npx.toFixed(2)}x, node ${node.toFixed(2)}x`,
      met: check(npx, SCORE_TARGET_OVER_OPEN3D),
      reference: shown(f.score_11248_open3d_seconds, (s) => `Open3D script ${seconds(s)}`) + (node === undefined ? ' (python3-open3d not installed)' : ''),
    },
    {
      target: `build --demo ≤ ${BUILD_TARGET_SECONDS} s on every core`,
      measured: shown(f.build_demo_seconds, seconds),
      met: check(f.build_demo_seconds, BUILD_TARGET_SECONDS),
      reference: shown(f.build_demo_one_worker_seconds, (s) => `one worker ${seconds(s)}`),
    },
    {
      target: `report on the demo's results ≤ ${REPORT_TARGET_SECONDS} s`,
      measured: shown(f.report_seconds, seconds),
      met: check(f.report_seconds, REPORT_TARGET_SECONDS),
      reference: '',
    },
    {
      target: `facebench run from scratch ≤ ${RUN_TARGET_SECONDS} s`,
      measured: shown(f.run_seconds, seconds),
      met: check(f.run_seconds, RUN_TARGET_SECONDS),
      reference: shown(f.run_cpu_seconds, (c) => `${c.toFixed(1)} CPU-s`),
    },
  ];
}

/** The rows as a plain-text table. */
export function formatTargets(rows: TargetRow[]): string {
  const status = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : 'NOT met');
  const width = Math.max(...rows.map((r) => r.target.length));
  return rows.map((r) => `  ${r.target.padEnd(width)}  ${status(r.met).padEnd(12)}  ${r.measured}${r.reference ? `; ${r.reference}` : ''}`).join('\n');
}

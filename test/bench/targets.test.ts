import { describe, expect, it } from 'vitest';
import { EVAL_TARGET_CPU_S_PER_TASK, EVAL_TARGET_WALL_SECONDS, formatTargets, speedTargets } from '../../bench/targets.js';

/** Figures as the benches return them, every target met. */
function figures(): Record<string, number> {
  return {
    help_seconds: 0.15,
    node_seconds: 0.1,
    'closest-point near-surface 22288 batch (q/s)': 3.0e6,
    'closest-point near-surface 22288 single (q/s)': 2.6e6,
    'three-mesh-bvh near-surface 22288 (q/s)': 0.15e6,
    nersemble_eval_cpu_s_per_task: 0.12,
    nersemble_eval_shape_error_cpu_s_per_task: 0.14,
    nersemble_eval_full_icp_cpu_s_per_task: 0.42,
    nersemble_full_eval_wall_s: 48.8,
    nersemble_full_eval_cpu_s_per_task: 0.118,
    nersemble_full_eval_unscored: 0,
    nersemble_full_eval_shape_error_wall_s: 59.2,
    nersemble_full_eval_shape_error_cpu_s_per_task: 0.144,
    nersemble_full_eval_shape_error_unscored: 0,
    score_11248_node_over_open3d: 0.3,
    score_11248_npx_over_open3d: 0.45,
    score_11248_open3d_seconds: 1.2,
    build_demo_seconds: 14,
    build_demo_one_worker_seconds: 25,
    report_seconds: 1.4,
    run_seconds: 70,
    run_cpu_seconds: 130,
  };
}

const statusOf = (rows: ReturnType<typeof speedTargets>, start: string) => rows.find((r) => r.target.startsWith(start))!.met;

describe('speed targets of npm run bench', () => {
  it('the eval target is 800 tasks in 60 s on 2 cores', () => {
    expect(EVAL_TARGET_WALL_SECONDS).toBe(60);
    expect(EVAL_TARGET_CPU_S_PER_TASK).toBeCloseTo(0.15, 12);
  });

  it('marks every target met when every figure is within it', () => {
    const rows = speedTargets(figures());
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.met)).toEqual([true, true, true, true, true, true, true]);
    expect(formatTargets(rows)).not.toMatch(/NOT met|not measured/);
  });

  it('needs both closest-point figures, both official-size evals, and npx rather than node for score', () => {
    const f = figures();
    f['closest-point near-surface 22288 single (q/s)'] = 2.4e6;
    f.nersemble_full_eval_shape_error_wall_s = 61;
    f.score_11248_npx_over_open3d = 1.1;
    const rows = speedTargets(f);
    expect(statusOf(rows, 'closest point')).toBe(false);
    expect(statusOf(rows, 'eval')).toBe(false);
    expect(statusOf(rows, 'score')).toBe(false);
    expect(statusOf(rows, 'facebench --help')).toBe(true);
    expect(formatTargets(rows).match(/NOT met/g)).toHaveLength(3);
  });

  it('fails an official-size eval that left tasks unscored, however fast', () => {
    const f = figures();
    f.nersemble_full_eval_unscored = 3;
    const row = speedTargets(f).find((r) => r.target.startsWith('eval'))!;
    expect(row.met).toBe(false);
    expect(row.measured).toContain('3 tasks not scored');
  });

  it('treats the limits as inclusive', () => {
    const f = figures();
    f.run_seconds = 90;
    f.report_seconds = 2.0001;
    const rows = speedTargets(f);
    expect(statusOf(rows, 'facebench run')).toBe(true);
    expect(statusOf(rows, 'report')).toBe(false);
  });

  it('says what was not measured instead of passing it: no Open3D, a bench that failed to report', () => {
    const f = figures();
    delete f.score_11248_node_over_open3d;
    delete f.score_11248_npx_over_open3d;
    delete f.score_11248_open3d_seconds;
    f.build_demo_seconds = Number.NaN;
    for (const key of Object.keys(f).filter((k) => k.startsWith('nersemble_full_eval'))) delete f[key];
    const rows = speedTargets(f);
    const score = rows.find((r) => r.target.startsWith('score'))!;
    expect(score.met).toBeNull();
    expect(score.reference).toContain('python3-open3d not installed');
    expect(statusOf(rows, 'build --demo')).toBeNull();
    expect(statusOf(rows, 'eval')).toBeNull();
    expect(formatTargets(rows).match(/not measured/g)!.length).toBeGreaterThanOrEqual(3);
  });
});

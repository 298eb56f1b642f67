import { expect } from 'vitest';
import { applyTransform, umeyama } from '../../../evaluators/alignment/index.js';
import {
  cloneState, evaluateShape, fitColumns, objective, prepareRows, residualOffset, rowScratch, stepState, termRows,
  type FitState, type Problem, type Terms,
} from '../../../baselines/pixel3dmm/fit.js';

/**
 * Compare the analytic Jacobian rows of terms `picks` at state s with central finite
 * differences of the residuals (every column of the full fit: pose, focal, principal point,
 * identity, expression); each entry within 1e-4 relative. Returns the largest relative error.
 */
export function checkJacobianRows(p: Problem, terms: Terms, s: FitState, picks: readonly number[]): number {
  const X = new Float64Array(p.fm.model.template.length);
  const c = fitColumns(p.K, p.E, true, true, true);
  const rows = rowScratch(c.n);
  const total = residualOffset(terms, terms.uvCount + terms.nCount + terms.lmCount + terms.phCount);
  const rp = new Float64Array(total), rm = new Float64Array(total);
  const plus = cloneState(s), minus = cloneState(s), scratch = new Float64Array(9), delta = new Float64Array(c.n);
  const h = 1e-6;
  let worst = 0;
  for (let col = 0; col < c.n; col++) {
    delta.fill(0);
    delta[col] = h;
    stepState(p, s, delta, c, plus, scratch);
    delta[col] = -h;
    stepState(p, s, delta, c, minus, scratch);
    objective(p, terms, plus, X, rp);
    objective(p, terms, minus, X, rm);
    evaluateShape(p, s, X);
    prepareRows(p, c, rows);
    for (const q of picks) {
      const count = termRows(p, terms, s, X, c, q, rows);
      const ro = residualOffset(terms, q);
      for (let row = 0; row < count; row++) {
        const fd = (rp[ro + row] - rm[ro + row]) / (2 * h);
        const an = rows.rows[row * c.n + col];
        const err = Math.abs(fd - an) / Math.max(1, Math.abs(fd));
        worst = Math.max(worst, err);
        expect(err, `term ${q} row ${row} column ${col}: analytic ${an}, finite differences ${fd}`).toBeLessThan(1e-4);
      }
    }
  }
  return worst;
}

/**
 * RMS (mm) over the vertices `active` of the fitted positions after a similarity alignment
 * (the nersemble protocol's) onto the truth positions: one image leaves overall scale and
 * depth almost free, so the shape is compared up to a similarity.
 */
export function similarityRms(active: ArrayLike<number>, truth: Float64Array, fitted: Float64Array): number {
  const src = new Float64Array(3 * active.length), dst = new Float64Array(3 * active.length);
  for (let i = 0; i < active.length; i++) {
    for (let r = 0; r < 3; r++) {
      src[3 * i + r] = fitted[3 * active[i] + r];
      dst[3 * i + r] = truth[3 * active[i] + r];
    }
  }
  const aligned = applyTransform(umeyama(src, dst, { withScale: true }).transform, src);
  let sq = 0;
  for (let i = 0; i < dst.length; i++) sq += (aligned[i] - dst[i]) ** 2;
  return Math.sqrt(sq / active.length);
}

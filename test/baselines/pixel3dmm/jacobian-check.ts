import { expect } from 'vitest';
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
    prepareRows(p, X, c, rows);
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

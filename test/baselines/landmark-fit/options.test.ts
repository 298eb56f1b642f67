import { describe, expect, it } from 'vitest';
import { landmarkFitAdapter } from '../../../baselines/landmark-fit/index.js';
import { onnxRegressorAdapter } from '../../../baselines/onnx-regressor/index.js';
import { describeOptions, parseMethodOptions } from '../../../baselines/method-options.js';

describe('adapter options', () => {
  it('landmark-fit: {} parses to the documented defaults and the option table lists every option', () => {
    const o = parseMethodOptions(landmarkFitAdapter, '{}');
    expect(o).toMatchObject({ model: 'demo', landmarks: 'mediapipe', identityCount: 100, expressionCount: 50, fitFocal: true, lambdaFocal: 100, maxIterations: 50 });
    // The regulariser weights default by landmark source (1/1 for files, 300/30 for MediaPipe) at fit time.
    expect(o.lambdaIdentity).toBeUndefined();
    expect(o.lambdaExpression).toBeUndefined();
    const names = describeOptions(landmarkFitAdapter).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['model', 'landmarks', 'identityCount', 'expressionCount', 'lambdaIdentity', 'lambdaExpression', 'expressionBox', 'focal', 'fitFocal', 'lambdaFocal', 'principalPoint', 'maxIterations']));
    expect(parseMethodOptions(landmarkFitAdapter, '{"model": {"flame": "generic_model.pkl"}, "landmarks": "lm"}').model).toEqual({ flame: 'generic_model.pkl' });
    expect(() => parseMethodOptions(landmarkFitAdapter, '{"lambdaIdentity": -1}')).toThrow(/lambdaIdentity/);
    expect(() => parseMethodOptions(landmarkFitAdapter, '{"model": "bfm"}')).toThrow(/model/);
  });

  it('onnx-regressor: a single config option', () => {
    expect(parseMethodOptions(onnxRegressorAdapter, '{"config": "r.json"}')).toEqual({ config: 'r.json' });
    expect(describeOptions(onnxRegressorAdapter).map((d) => d.name)).toEqual(['config']);
    expect(() => parseMethodOptions(onnxRegressorAdapter, '{"cfg": "r.json"}')).toThrow(/invalid options/);
  });
});

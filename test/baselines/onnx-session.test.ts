import { describe, expect, it } from 'vitest';
import { onceByKey } from '../../baselines/onnx-session.js';

describe('onceByKey (the ONNX session cache of normals-onnx and onnx-regressor)', () => {
  it('opens a key once for every caller, keeps keys apart, and forgets a failed opening', async () => {
    const sessions = onceByKey<string>();
    let opened = 0;
    const open = (value: string) => async () => {
      opened++;
      return value;
    };
    const [a, b] = await Promise.all([sessions('a', open('A')), sessions('a', open('other'))]);
    expect([a, b]).toEqual(['A', 'A']);
    expect(await sessions('b', open('B'))).toBe('B');
    expect(opened).toBe(2);

    let attempts = 0;
    const failing = async () => {
      attempts++;
      throw new Error('not a loadable ONNX model');
    };
    await expect(sessions('bad', failing)).rejects.toThrow('not a loadable');
    // Forgotten: the next call opens again (and may succeed, e.g. once the file is fixed).
    await expect(sessions('bad', failing)).rejects.toThrow('not a loadable');
    expect(attempts).toBe(2);
    expect(await sessions('bad', open('fixed'))).toBe('fixed');
    expect(await sessions('bad', open('again'))).toBe('fixed');
  });
});

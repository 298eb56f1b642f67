import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestViewAngles, viewBin, viewBinOrder } from '../../reports/index.js';
import { tempDir } from '../benchmark/cli-helpers.js';

describe('report view-angle bins', () => {
  it('bins angles from each lower edge (inclusive) to the next (exclusive), 60° and more together', () => {
    expect([0, 14.999, 15, 29.9, 30, 44.5, 45, 59.999, 60, 89, 180].map(viewBin)).toEqual([
      '0–15°', '0–15°', '15–30°', '15–30°', '30–45°', '30–45°', '45–60°', '45–60°', '60°+', '60°+', '60°+',
    ]);
    expect(['60°+', '0–15°', '45–60°', '15–30°', '30–45°'].sort((a, b) => viewBinOrder(a) - viewBinOrder(b))).toEqual(['0–15°', '15–30°', '30–45°', '45–60°', '60°+']);
  });

  it('reads view_angle_deg of the manifest items; nothing from an older or missing manifest', () => {
    const dir = tempDir('view-bins');
    mkdirSync(join(dir, 'new'));
    mkdirSync(join(dir, 'old'));
    writeFileSync(join(dir, 'new', 'manifest.json'), JSON.stringify({ items: [{ id: 'A_000_1', person: '001', view_angle_deg: 12.5 }, { id: 'B_000_2', person: '001', view_angle_deg: 'x' }] }));
    writeFileSync(join(dir, 'old', 'manifest.json'), JSON.stringify({ items: [{ id: 'A_000_1', person: '001', rank: 0 }] }));
    expect([...manifestViewAngles(join(dir, 'new'))]).toEqual([['001/A_000_1', 12.5]]);
    expect(manifestViewAngles(join(dir, 'old')).size).toBe(0);
    expect(manifestViewAngles(join(dir, 'missing')).size).toBe(0);
  });
});

import { spawnSync } from 'node:child_process';

/**
 * The first python3 with torch and onnx (Debian's python3-torch and python3-onnx, which
 * `.ci/run` installs), or why there is none: the export-script tests skip with that reason.
 */
export function findTorchPython(): { python?: string; reason: string } {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
    if (r.status === 0) return { python: candidate, reason: '' };
  }
  return { reason: 'no python3 with torch and onnx (apt-get install python3-torch python3-onnx)' };
}

/**
 * Locating the `colmap` executable and what it can do. COLMAP prints its build line on
 * `colmap -h`, e.g. "COLMAP 3.8 -- Structure-from-Motion and Multi-View Stereo
 * (Commit Unknown on Unknown without CUDA)"; the version and the CUDA flag come from there.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { InputError } from '../../../evaluators/errors.js';

/** How to install COLMAP, quoted in every "not found" message. */
export const COLMAP_INSTALL_HINT =
  'install it with `apt-get install colmap` (Debian/Ubuntu; CPU build) or from https://colmap.github.io/install.html, '
  + 'or give the executable with --colmap PATH';

/** A usable COLMAP executable. */
export interface ColmapInstall {
  /** Absolute path of the executable. */
  path: string;
  /** Version from the `colmap -h` banner, e.g. '3.8' ('unknown' when the banner has none). */
  version: string;
  /** True when the banner says the build has CUDA (needed by patch_match_stereo). */
  cuda: boolean;
}

/** Raised when COLMAP is not installed (or the given path is not an executable COLMAP). */
export class ColmapMissingError extends InputError {
  constructor(binary: string, why: string) {
    super(binary, `${why}; ${COLMAP_INSTALL_HINT}`);
    this.name = 'ColmapMissingError';
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolve `binary` (a path, or a bare name searched on PATH) to an executable file. */
function resolveExecutable(binary: string): string | null {
  if (binary.includes('/') || isAbsolute(binary)) return isExecutableFile(binary) ? binary : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Parse the `colmap -h` banner: version and CUDA flag (null when it is not COLMAP's). */
export function parseColmapBanner(text: string): { version: string; cuda: boolean } | null {
  const head = /COLMAP\s+([0-9][0-9A-Za-z.\-]*)?/.exec(text);
  if (!head) return null;
  const cuda = /\bwith CUDA\b/i.test(text) && !/\bwithout CUDA\b/i.test(text);
  return { version: head[1] ?? 'unknown', cuda };
}

/**
 * Find COLMAP: `binary` (default: `$FACEBENCH_COLMAP`, else `colmap` on PATH), checked by
 * running `colmap -h`. Returns null when there is no usable executable.
 */
export function findColmap(binary?: string): ColmapInstall | null {
  const name = binary ?? process.env.FACEBENCH_COLMAP ?? 'colmap';
  const path = resolveExecutable(name);
  if (path === null) return null;
  const run = spawnSync(path, ['-h'], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' },
  });
  if (run.error) return null;
  const banner = parseColmapBanner(`${run.stdout ?? ''}\n${run.stderr ?? ''}`);
  if (banner === null) return null;
  return { path, ...banner };
}

/** {@link findColmap}, throwing a {@link ColmapMissingError} that says how to install COLMAP. */
export function requireColmap(binary?: string): ColmapInstall {
  const found = findColmap(binary);
  if (found !== null) return found;
  const name = binary ?? process.env.FACEBENCH_COLMAP ?? 'colmap';
  const why = name === 'colmap' ? 'COLMAP is not on PATH' : 'not an executable COLMAP (`-h` did not print the COLMAP banner)';
  throw new ColmapMissingError(name, why);
}

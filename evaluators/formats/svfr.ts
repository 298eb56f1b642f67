/**
 * The official NeRSemble single-view face reconstruction (SVFR) benchmark's download layout
 * and item keys (nersemble_benchmark toolkit, benchmark v2; docs/formats.md#svfr-download):
 *
 *   <folder>/svfr/<pid:03d>/<SEQ>_<t>_<serial>/rgb.png
 *
 * A key folder name matches `^([a-zA-Z0-9-_+]+)_(\d+)_(\d+)$` (sequence, timestep, camera
 * serial); the download leaves the timestep unpadded (`EXP-1-head_7_222200040`), the
 * submission pads it to three digits (`EXP-1-head_007_222200040`). Sequence names may hold
 * `+` and `-` (`EMO-1-shout+laugh`).
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** The folder of the SVFR track inside a download. */
export const SVFR_FOLDER = 'svfr';
/** The input image of an item. */
export const SVFR_IMAGE = 'rgb.png';
/** A key folder name: sequence, timestep, serial. */
export const SVFR_KEY = /^([a-zA-Z0-9\-_+]+)_(\d+)_(\d+)$/;
/** A participant folder name. */
export const SVFR_PERSON = /^\d{3}$/;

export interface SvfrKey {
  sequence: string;
  timestep: number;
  serial: string;
}

/** The parts of a key folder name, or undefined when it is not one. */
export function parseSvfrKey(name: string): SvfrKey | undefined {
  const m = SVFR_KEY.exec(name);
  if (!m) return undefined;
  const timestep = Number(m[2]);
  if (!Number.isSafeInteger(timestep)) return undefined;
  return { sequence: m[1], timestep, serial: m[3] };
}

/** The submission's key: the timestep padded to three digits (`EXP-1-head_007_222200040`). */
export function submissionKey(key: SvfrKey): string {
  return `${key.sequence}_${String(key.timestep).padStart(3, '0')}_${key.serial}`;
}

/** The download's key: the timestep unpadded (`EXP-1-head_7_222200040`). */
export function downloadKey(key: SvfrKey): string {
  return `${key.sequence}_${key.timestep}_${key.serial}`;
}

/** One input image of an SVFR download. */
export interface SvfrItem {
  /** Participant id, three digits. */
  person: string;
  /** The submission key (padded timestep): the item id of predictions and of the zip. */
  id: string;
  /** The key folder's name as downloaded. */
  folder: string;
  key: SvfrKey;
  imagePath: string;
}

/**
 * The `svfr/` folder of a download: `dir/svfr` when it exists, else `dir` itself when it holds
 * participant folders.
 */
export function svfrRoot(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InputError(root, 'SVFR download folder not found');
  const inner = join(root, SVFR_FOLDER);
  if (existsSync(inner) && statSync(inner).isDirectory()) return inner;
  return root;
}

/**
 * Every item of an SVFR download (`dir` = the folder holding `svfr/`, or `svfr/` itself),
 * sorted by person and key. Folders that are neither participant nor key folders are refused
 * (a download holds nothing else), as are symbolic links, keys without `rgb.png` and two
 * folders with the same padded key.
 */
export function listSvfrItems(dir: string): SvfrItem[] {
  const root = svfrRoot(dir);
  const items: SvfrItem[] = [];
  const entries = (path: string) => readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const person of entries(root)) {
    const personPath = join(root, person.name);
    if (person.isSymbolicLink()) throw new InputError(personPath, 'is a symbolic link (an SVFR download holds plain folders)');
    if (!person.isDirectory()) continue;
    if (!SVFR_PERSON.test(person.name)) throw new InputError(personPath, 'is not a participant folder (three digits, e.g. 017) of an SVFR download');
    const seen = new Map<string, string>();
    for (const folder of entries(personPath)) {
      const folderPath = join(personPath, folder.name);
      if (folder.isSymbolicLink()) throw new InputError(folderPath, 'is a symbolic link (an SVFR download holds plain folders)');
      if (!folder.isDirectory()) continue;
      const key = parseSvfrKey(folder.name);
      if (!key) throw new InputError(folderPath, 'is not an SVFR item folder (<SEQUENCE>_<timestep>_<serial>, e.g. EXP-1-head_7_222200040)');
      const id = submissionKey(key);
      const other = seen.get(id);
      if (other !== undefined) throw new InputError(folderPath, `has the same submission key ${id} as ${other}`);
      seen.set(id, folder.name);
      const imagePath = join(folderPath, SVFR_IMAGE);
      if (!existsSync(imagePath) || !lstatSync(imagePath).isFile()) throw new InputError(imagePath, 'not found (each SVFR item folder holds its rgb.png)');
      items.push({ person: person.name, id, folder: folder.name, key, imagePath });
    }
  }
  if (items.length === 0) throw new InputError(root, `holds no SVFR item (<pid>/<SEQUENCE>_<timestep>_<serial>/${SVFR_IMAGE})`);
  return items;
}

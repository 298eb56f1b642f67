/**
 * How `facebench export-images` names a built benchmark's items in the official SVFR download
 * layout (docs/formats.md#export-map): `<pid>/<SEQ>_<t>_<serial>`, where
 *
 * - pid: the benchmark's person id when every person's id is three digits, else the persons
 *   numbered `001`, `002`, … in manifest order;
 * - SEQ: the item's sequence with every character outside `A-Z a-z 0-9 - +` replaced by `-`
 *   (the official keys split on `_`);
 * - t: the item's frame number, unpadded (as downloaded; the submission key pads it to three digits);
 * - serial: the item's camera id when it is all digits, else a stable number made from it
 *   (the first 8 hex digits of the sha256 of the camera id, in decimal).
 *
 * Two items that would get one key are refused, naming both.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { MANIFEST_NAME, parseSvfrKey, submissionKey, SVFR_PERSON, type ExportMapItem, type Manifest } from '../../evaluators/formats/index.js';

/** The most persons three-digit participant ids can number. */
export const MAX_EXPORT_PERSONS = 999;

/** A sequence name with the characters an SVFR key cannot hold replaced by `-`. */
export function exportSequence(sequence: string): string {
  return sequence.replace(/[^A-Za-z0-9+-]/g, '-');
}

/** A camera id as an SVFR serial: itself when all digits, else a stable number made from it. */
export function exportSerial(camera: string): string {
  if (/^\d+$/.test(camera)) return camera;
  return String(Number.parseInt(createHash('sha256').update(camera).digest('hex').slice(0, 8), 16));
}

/** The participant id of every benchmark person. */
export function exportPersons(manifest: Manifest, source: string): Map<string, string> {
  if (manifest.persons.length > MAX_EXPORT_PERSONS) throw new InputError(source, `has ${manifest.persons.length} persons; the SVFR layout numbers at most ${MAX_EXPORT_PERSONS} (three digits)`);
  const keep = manifest.persons.every((p) => SVFR_PERSON.test(p.id));
  return new Map(manifest.persons.map((p, i) => [p.id, keep ? p.id : String(i + 1).padStart(3, '0')]));
}

/** The exported names of every item of a benchmark, in manifest order. */
export function exportNames(manifest: Manifest, bench: string): ExportMapItem[] {
  const source = join(bench, MANIFEST_NAME);
  const persons = exportPersons(manifest, source);
  const taken = new Map<string, string>();
  return manifest.items.map((item) => {
    const svfrPerson = persons.get(item.person);
    if (svfrPerson === undefined) throw new InputError(source, `item ${item.id} names person ${item.person}, who is not in persons`);
    const folder = `${exportSequence(item.sequence)}_${item.frame}_${exportSerial(item.camera)}`;
    const key = parseSvfrKey(folder);
    if (!key) throw new InputError(source, `item ${item.person}/${item.id} gives ${folder}, which is not an SVFR key`);
    const svfrKey = submissionKey(key);
    const other = taken.get(`${svfrPerson}/${svfrKey}`);
    if (other !== undefined) throw new InputError(source, `items ${other} and ${item.person}/${item.id} would both be exported as ${svfrPerson}/${folder} (sequence names that differ only in characters outside A-Z a-z 0-9 - +, or two cameras with one number)`);
    taken.set(`${svfrPerson}/${svfrKey}`, `${item.person}/${item.id}`);
    return { svfr_person: svfrPerson, svfr_folder: folder, svfr_key: svfrKey, person: item.person, item: item.id };
  });
}

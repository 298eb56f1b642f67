/**
 * Seeded per-vertex albedo for the demo renders: a base colour per region (skin tone varies
 * per person, hair dark, lips reddish, eyes light, …) modulated by a procedural texture
 * (a few random 3D sinusoids plus per-vertex jitter) so images carry features to match.
 */
import { LABEL } from './labels.js';
import { deriveSeed, seededRandom } from '../evaluators/util/index.js';

const REGION_RGB: Record<number, [number, number, number]> = {
  [LABEL.skin]: [224, 172, 140],
  [LABEL.brows]: [90, 62, 45],
  [LABEL.nose]: [226, 166, 136],
  [LABEL.lips]: [190, 90, 95],
  [LABEL.eyes]: [235, 235, 230],
  [LABEL.mouth_interior]: [110, 40, 45],
  [LABEL.ears]: [215, 160, 130],
  [LABEL.neck]: [205, 155, 125],
  [LABEL.hair]: [55, 40, 32],
};

/**
 * Albedo (0..255, 3 per vertex) for a person: region colours from `labels`, skin tone and
 * hair colour varied by `seed`, texture from the template positions (mm) so it moves with
 * the surface.
 */
export function vertexAlbedo(template: Float64Array, labels: Uint8Array, seed: number): Uint8Array {
  const random = seededRandom(deriveSeed(seed, 0xa1b));
  const tone = 0.75 + 0.35 * random();
  const hairTint = 0.6 + 0.8 * random();
  const waves = Array.from({ length: 6 }, () => ({
    k: [random() - 0.5, random() - 0.5, random() - 0.5].map((v) => v * (0.15 + 0.5 * random())),
    phase: 2 * Math.PI * random(),
    amp: 0.04 + 0.05 * random(),
  }));
  const n = labels.length;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = template[3 * i], y = template[3 * i + 1], z = template[3 * i + 2];
    let t = 1 + 0.06 * (random() - 0.5);
    for (const w of waves) t += w.amp * Math.sin(w.k[0] * x + w.k[1] * y + w.k[2] * z + w.phase);
    const l = labels[i];
    const baseRgb = REGION_RGB[l] ?? [128, 128, 128];
    const scale = l === LABEL.hair || l === LABEL.brows ? hairTint : l === LABEL.eyes || l === LABEL.mouth_interior || l === LABEL.lips ? 1 : tone;
    for (let k = 0; k < 3; k++) out[3 * i + k] = Math.max(0, Math.min(255, Math.round(baseRgb[k] * scale * t)));
  }
  return out;
}

/**
 * Region labels of the demo capture's label maps and of the face model's vertices, with the
 * names docs/formats.md#label-file uses. Id 0 is the background; `FACE_KEPT` are the classes a benchmark keeps.
 */
export const LABEL_NAMES = ['background', 'skin', 'brows', 'nose', 'lips', 'eyes', 'mouth_interior', 'ears', 'neck', 'hair'] as const;
export type LabelName = (typeof LABEL_NAMES)[number];

export const LABEL = {
  background: 0,
  skin: 1,
  brows: 2,
  nose: 3,
  lips: 4,
  eyes: 5,
  mouth_interior: 6,
  ears: 7,
  neck: 8,
  hair: 9,
} as const satisfies Record<LabelName, number>;

/** Ids of the face classes kept by segmentation masking: skin, brows, nose, lips. */
export const FACE_KEPT: readonly number[] = [LABEL.skin, LABEL.brows, LABEL.nose, LABEL.lips];

/** The `labels.json` document of a capture: `{"labels": {"<id>": "<name>"}, "face_kept": [ids]}`. */
export function labelsDocument(): { labels: Record<string, string>; face_kept: number[] } {
  const labels: Record<string, string> = {};
  LABEL_NAMES.forEach((name, id) => {
    labels[String(id)] = name;
  });
  return { labels, face_kept: [...FACE_KEPT] };
}

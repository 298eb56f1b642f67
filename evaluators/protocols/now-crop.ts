/**
 * NoW's face crop (now_evaluation, `compute_mask`): a ball around a point a little above
 * the nose bottom. With the 7 landmarks l1…l7 (0-based 0…6):
 * bridge = mean(l2, l3); centre = l5 + f_c·(bridge − l5);
 * radius = f_r·(‖l1 − l4‖ + ‖bridge − l5‖)/2, with f_c = 0.3 and f_r = 1.4.
 */
export interface FaceCrop {
  centre: [number, number, number];
  radius: number;
}

export function nowFaceCrop(landmarks: Float64Array, centreFactor = 0.3, radiusFactor = 1.4): FaceCrop {
  const l = (k: number, j: number) => landmarks[3 * k + j];
  const bridge = [0, 1, 2].map((j) => 0.5 * (l(1, j) + l(2, j)));
  const centre = [0, 1, 2].map((j) => l(4, j) + centreFactor * (bridge[j] - l(4, j))) as [number, number, number];
  const eyes = Math.hypot(l(0, 0) - l(3, 0), l(0, 1) - l(3, 1), l(0, 2) - l(3, 2));
  const nose = Math.hypot(bridge[0] - l(4, 0), bridge[1] - l(4, 1), bridge[2] - l(4, 2));
  return { centre, radius: (radiusFactor * (eyes + nose)) / 2 };
}

/** Indices of the points within the crop ball (distance ≤ radius, as NoW keeps them). */
export function pointsInCrop(points: Float64Array, crop: FaceCrop): Uint32Array {
  const n = points.length / 3;
  const keep = new Uint32Array(n);
  let count = 0;
  const [cx, cy, cz] = crop.centre;
  const r2 = crop.radius * crop.radius;
  for (let i = 0; i < n; i++) {
    const dx = points[3 * i] - cx;
    const dy = points[3 * i + 1] - cy;
    const dz = points[3 * i + 2] - cz;
    if (dx * dx + dy * dy + dz * dz <= r2) keep[count++] = i;
  }
  return keep.slice(0, count);
}

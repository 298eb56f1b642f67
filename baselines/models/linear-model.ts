/**
 * The linear face model interface shared by every morphable model the suite reads (FLAME,
 * the ICT-FaceKit fixture model, the demo model): V = T + Σ a_k·S_k + Σ e_j·E_j, optionally
 * posed by linear blend skinning. All lengths in millimetres.
 */
export interface LandmarkEmbedding {
  /** Face index per landmark. */
  faces: Uint32Array;
  /** 3 barycentric weights per landmark over that face's vertices (in face-corner order). */
  barycentrics: Float64Array;
}

export interface Skeleton {
  /** Joint names, e.g. ['global', 'neck', 'jaw', 'eye_left', 'eye_right'] for FLAME. */
  names: string[];
  /** Parent index per joint (−1 for the root). */
  parents: Int32Array;
  /** J×n dense joint regressor (row-major): rest joints = regressor · vertices. */
  jointRegressor: Float64Array;
  /** n×J skinning weights (row-major). */
  weights: Float64Array;
  /** Optional pose-corrective blendshapes: (9·(J−1)) × 3n (row-major), driven by (R_j − I) of the non-root joints. */
  poseBasis?: Float64Array;
}

export interface LinearFaceModel {
  name: string;
  /** 3n template vertices, mm. */
  template: Float64Array;
  /** 3m triangles. */
  faces: Uint32Array;
  /** identityCount × 3n identity (shape) deltas, mm, mode-major. */
  identityBasis: Float64Array;
  identityCount: number;
  /** expressionCount × 3n expression deltas, mm, mode-major. */
  expressionBasis: Float64Array;
  expressionCount: number;
  /** Optional name per expression mode (e.g. ARKit-style blendshape names). */
  expressionNames?: string[];
  /** iBUG-68 landmark embedding when the model has one. */
  landmarks68?: LandmarkEmbedding;
  skeleton?: Skeleton;
  /**
   * Texture coordinates (u, v) per vertex (2n values, the model's UV space in [0, 1]², u right,
   * v up as in an OBJ `vt`); NaN for a vertex without one. Models whose UV layout has seams
   * (several UVs per vertex) keep one per vertex, documented by their loader.
   */
  uvs?: Float64Array;
}

/** Coefficients of one model instance; missing entries are zero. */
export interface ModelCoefficients {
  identity?: ArrayLike<number>;
  expression?: ArrayLike<number>;
  /** Axis-angle (3 values) per skeleton joint, radians; needs a skeleton. */
  jointRotations?: ArrayLike<number>;
}

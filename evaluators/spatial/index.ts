/**
 * Spatial structures on flat typed arrays (float64, millimetres): exact point–triangle
 * distance, a triangle BVH for closest-point queries, a k-d tree for nearest-neighbour
 * queries, and PCA normal estimation with consistent orientation.
 */
export {
  closestPointOnTriangle,
  closestPointOnMeshFace,
  createTriangleClosestPoint,
  type TriangleClosestPoint,
} from './closest-point-triangle.js';
export {
  TriangleBVH,
  createClosestPointResult,
  type ClosestPointResult,
  type ClosestPointBatch,
  type ClosestPointsOptions,
  type TriangleBVHOptions,
} from './bvh.js';
export type { BvhStrategy } from './bvh-build.js';
export { buildCellGrid, cellAt, cellWallDistance, type CellGrid } from './cell-grid.js';
export { edgeNormals, triangleData, TRI_STRIDE, EDGE_STRIDE } from './triangle-data.js';
export { KdTree, type KdTreeOptions, type NearestBatch, type NearestBatchOptions } from './kdtree.js';
export { estimateNormals, type EstimateNormalsOptions, type NormalOrientation } from './normals.js';
export { symmetricEigen3 } from './symmetric-eigen3.js';
export { mortonOrder } from './morton.js';

/**
 * Rendering on flat typed arrays: the z-buffer triangle rasteriser (depth, visible triangle,
 * labels, Lambert shading) and z-buffered point splats, for an OpenCV pinhole camera whose
 * pixels are sampled at their centres (col + ½, row + ½).
 */
export { rasterize, createRasterBuffers, projectPoints, labelImage, shadeImage, vertexNormals } from './rasterizer.js';
export type { Camera, OrthographicCamera, PinholeCamera, RasterBuffers, RasterOptions, ShadeOptions } from './rasterizer.js';
export { splatPoints, type SplatOptions } from './splat.js';
export { cylinderMap, cylinderRowHeights, type CylinderGrid, type CylinderMap } from './cylinder.js';

import { InputError } from '../../evaluators/errors.js';
import { MM_PER_UNIT, type LengthUnit, type PointCloud } from '../../evaluators/geometry/types.js';
import { readPointCloud } from '../../evaluators/io/index.js';
import { estimateNormals } from '../../evaluators/spatial/index.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import type { CaptureFrame } from './capture.js';
import { DEFAULT_FUSION, fuseDepthMaps, type CameraDepth } from './fusion.js';
import { readDepthMap, readLabelMap, readRgbImage, type GrayImage, type RgbImage } from '../../evaluators/image/index.js';
import type { CameraLabels } from './masking.js';

/** Where a frame's GT cloud came from. */
export type CloudSource = 'depth-maps' | 'point-cloud' | 'colmap';

/** Reconstructs a cloud (mm) from a frame's images when it ships no geometry (the COLMAP runner). */
export type CloudReconstructor = (frame: CaptureFrame, cameras: Map<string, Camera>) => Promise<PointCloud>;

/** Produces a label map for one camera image (the ONNX face parser). */
export type LabelPredictor = (image: RgbImage) => Promise<Uint8Array>;

/** Depth maps of a frame, converted to mm. */
export function frameDepthMaps(frame: CaptureFrame, cameras: Map<string, Camera>, unit: LengthUnit): CameraDepth[] {
  const scale = MM_PER_UNIT[unit];
  return [...frame.depthMaps].map(([serial, path]) => {
    const map = readDepthMap(path);
    for (let i = 0; i < map.data.length; i++) map.data[i] *= scale;
    return { camera: cameras.get(serial)!, width: map.width, height: map.height, depth: map.data };
  });
}

/**
 * The GT cloud of a frame in mm with normals, from the best source it has: its depth maps
 * (fused, ≥ 2 cameras), else a shipped point cloud or COLMAP folder, else a reconstruction
 * (COLMAP run on its images) when one is available.
 */
export async function frameCloud(
  frame: CaptureFrame,
  cameras: Map<string, Camera>,
  unit: LengthUnit,
  depthMaps: CameraDepth[],
  reconstruct: CloudReconstructor | undefined,
  normalNeighbours = 20,
): Promise<{ cloud: PointCloud; source: CloudSource }> {
  let cloud: PointCloud;
  let source: CloudSource;
  if (depthMaps.length >= 2) {
    cloud = fuseDepthMaps(depthMaps, DEFAULT_FUSION);
    source = 'depth-maps';
  } else if (frame.pointCloud) {
    cloud = readPointCloud(frame.pointCloud, { unit });
    source = 'point-cloud';
  } else if (reconstruct && frame.images.size >= 2) {
    cloud = await reconstruct(frame, cameras);
    source = 'colmap';
  } else {
    throw new InputError(
      frame.dir,
      'has no ground-truth geometry: no depth maps (≥ 2 cameras), no pointcloud.ply/.pcd or colmap/ folder, and COLMAP is not available to reconstruct one (apt-get install colmap)',
    );
  }
  if (cloud.positions.length === 0) throw new InputError(frame.dir, `the ${source} ground truth has no points`);
  if (!cloud.normals) cloud.normals = estimateNormals(cloud.positions, { k: normalNeighbours });
  return { cloud, source };
}

/**
 * Label maps of a frame for masking, one per camera: the segmentation/ files, or the
 * predictor run on the camera images. Depth maps (when present) serve the visibility test.
 */
export async function frameLabelViews(
  frame: CaptureFrame,
  cameras: Map<string, Camera>,
  depthMaps: CameraDepth[],
  predict: LabelPredictor | undefined,
): Promise<{ views: CameraLabels[]; source: 'segmentation' | 'parser' }> {
  const depthBySerial = new Map(depthMaps.map((d) => [d.camera.serial, d]));
  const views: CameraLabels[] = [];
  if (frame.labelMaps.size > 0) {
    for (const [serial, path] of frame.labelMaps) {
      const map: GrayImage = readLabelMap(path);
      const depth = depthBySerial.get(serial);
      if (depth && (depth.width !== map.width || depth.height !== map.height)) {
        throw new InputError(path, `label map is ${map.width}x${map.height} but the depth map of camera ${serial} is ${depth.width}x${depth.height}`);
      }
      views.push({ camera: cameras.get(serial)!, width: map.width, height: map.height, labels: map.data, depth });
    }
  } else if (predict) {
    for (const [serial, path] of frame.images) {
      const image = readRgbImage(path);
      views.push({ camera: cameras.get(serial)!, width: image.width, height: image.height, labels: await predict(image), depth: depthBySerial.get(serial) });
    }
  } else {
    throw new InputError(frame.dir, 'has no segmentation/ label maps; give a face parser with --parser model.onnx to make them');
  }
  return { views, source: frame.labelMaps.size > 0 ? 'segmentation' : 'parser' };
}

/**
 * data/: the embedded demo capture generator and the assets it builds at run time
 * (MediaPipe canonical face mesh → demo face model → z-buffer renders in the NeRSemble
 * raw layout of docs/formats.md#raw-capture).
 */
export { generateDemoCapture, generateDemoCaptureParallel, demoCameras, lookAt, rotationYawPitchRoll, DEMO_NEUTRAL } from './demo-capture.js';
export type { DemoCamera, DemoCaptureInfo, DemoCaptureOptions, DemoFrame, DemoPerson, ParallelDemoCaptureOptions } from './demo-capture.js';
export { buildFaceModel, evaluate, applyPose, landmarkPositions, sampleIdentity, subdivideMidpoint, majorityFaceLabels, MEDIAPIPE_TO_IBUG68 } from './face-model.js';
export type { FaceModel, FaceModelOptions, Pose, SurfaceLandmarks } from './face-model.js';
export { loadCanonicalFaceMesh, decodeCanonicalMesh, decodeMesh3d, findPackedAsset, meshFromMesh3d, GEOMETRY_METADATA_ASSET } from './mediapipe-mesh.js';
export type { CanonicalFaceMesh, Mesh3d, PackedAssetRange } from './mediapipe-mesh.js';
export { readFields, readVarint, repeatedFloat, repeatedVarint, messageField, fixed32ToFloat } from './protobuf-wire.js';
export type { WireField, VarintRead } from './protobuf-wire.js';
export { rasterize, createRasterBuffers, projectPoints, labelImage, shadeImage, vertexNormals } from '../evaluators/render/index.js';
export type { PinholeCamera, RasterBuffers, RasterOptions, ShadeOptions } from '../evaluators/render/index.js';
export { LABEL, LABEL_NAMES, FACE_KEPT, labelsDocument } from './labels.js';
export type { LabelName } from './labels.js';
export { vertexAlbedo } from './appearance.js';

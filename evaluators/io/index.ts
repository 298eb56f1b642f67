/**
 * facebench file readers and writers. Readers take a length unit and return millimetres;
 * bad input raises a one-line InputError naming the file; writers are atomic.
 */
export { writeFileAtomic, temporaryPathFor } from './atomic.js';
export { describeFileError, extensionOf, pathKind, readInputFile, sha256File, type PathKind } from './files.js';
export {
  COLMAP_CLOUD_CANDIDATES, MESH_EXTENSIONS, POINT_CLOUD_EXTENSIONS, findColmapCloud, parseMesh, readMesh, readPointCloud,
  type GeometryReadOptions,
} from './read.js';
export {
  encodePly, parsePly, parsePlyHeader, writePly,
  type PlyElement, type PlyFormat, type PlyGeometry, type PlyHeader, type PlyProperty, type PlyScalarType, type PlyWriteOptions,
} from './ply.js';
export { encodeObj, parseObj, writeObj, type ObjWriteOptions } from './obj.js';
export {
  encodePcd, packRgb, parsePcd, parsePcdHeader, writePcd,
  type PcdDataFormat, type PcdField, type PcdHeader, type PcdWriteOptions,
} from './pcd.js';
export { lzfCompress, lzfDecompress } from './lzf.js';
export {
  encodeNpy, npyToFloat64, parseNpy, readNpy, writeNpy,
  type NpyArray, type NpyData, type NpyDtype, type NpyWriteDtype,
} from './npy.js';
export { encodeLandmarksJson, parseLandmarks, readLandmarks, writeLandmarksJson, type LandmarkReadOptions } from './landmarks.js';
export {
  colmapWorldToCam, findColmapFile, parseColmapCamerasBin, parseColmapCamerasTxt, parseColmapImagesBin,
  parseColmapImagesTxt, parseColmapPoints3DBin, parseColmapPoints3DTxt, readColmapCameras, readColmapImages,
  readColmapModel, readColmapPoints3D,
  type ColmapCamera, type ColmapImage, type ColmapModel, type ColmapPoints3D,
} from './colmap.js';
export { formatFloat32, formatFloat64, formatPrintfG } from './number-format.js';
export {
  DEFAULT_ZIP_LIMITS, crc32, encodeZip, looksLikeZip, openZip, readZipEntries, readZipFile, writeZip, zipNameProblem,
  type ZipArchive, type ZipEntry, type ZipInput, type ZipLimits, type ZipReadOptions, type ZipWriteOptions,
} from './zip.js';

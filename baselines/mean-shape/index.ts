export { meanShape, meanShapeOptions, meanShapeModel, templateLandmarks, type MeanShapeOptions } from './mean-shape.js';

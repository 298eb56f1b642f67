export { oracle, oracleOptions, truthMeshPath, readDemoSevenEmbedding, addVertexNoise, type OracleOptions } from './oracle.js';

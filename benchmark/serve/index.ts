export { startServer, addToken, databasePath, type ServeOptions, type RunningServer } from './server.js';
export { startWorker, type WorkerOptions, type RunningWorker } from './worker.js';
export { hasRedisServer, startPrivateRedis, type PrivateRedis } from './redis.js';
export { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './intake.js';

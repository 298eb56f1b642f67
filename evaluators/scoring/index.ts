/** Scoring the tasks of a benchmark from their files: one record per task, and its resume key. */
export { scoreTask, scoreTaskDetailed, type TaskOutcome, type DetailedOutcome } from './score-task.js';
export { FileHasher, hashFile, scoringCodeVersion, taskFiles, taskKey } from './task-key.js';
export { scoreFacescapeTask, type FacescapeOutcome } from './score-facescape.js';

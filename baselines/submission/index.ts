export { submission, submissionOptions, type SubmissionOptions } from './submission.js';

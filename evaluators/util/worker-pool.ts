/**
 * Options shared by every worker pool (piscina) of the project.
 *
 * Piscina loads a worker script with `require()` first. In Node 20.17+ that `require()` of
 * an ES module (all of this project's scripts) aborts the whole process with a fatal V8/Node
 * error, not an exception, when the pool is destroyed while a thread is still loading its
 * modules: for example when the first task fails on bad input before the other threads
 * are up. With `require()` of ES modules turned off in the threads, piscina loads the
 * script with `import()`, which a terminated thread leaves cleanly.
 */

/** Piscina options for a pool of exactly `threads` threads running the script `filename`. */
export function workerPoolOptions(filename: string, threads: number): { filename: string; minThreads: number; maxThreads: number; execArgv: string[] } {
  // Looked up here rather than at load: building the flag set costs ~2 ms, and most commands start no pool.
  const execArgv = process.allowedNodeEnvironmentFlags.has('--experimental-require-module') ? ['--no-experimental-require-module'] : [];
  return { filename, minThreads: threads, maxThreads: threads, execArgv };
}

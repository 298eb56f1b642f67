/**
 * The methods of `facebench run`, in a module of their own that imports nothing: the CLI's
 * `--help` prints them without loading the command.
 */

/** The offline methods the main job runs on the demo, from the floor to the ceiling. */
export const DEMO_METHODS = ['mean-shape', 'mediapipe', 'landmark-fit', 'pixel3dmm', 'oracle'] as const;

/** Worker-thread entry of generateDemoCaptureParallel (piscina): renders frames of one person per call. */
import { renderDemoFrames, type DemoFramesRequest } from './demo-capture.js';

export default function run(request: DemoFramesRequest): number {
  return renderDemoFrames(request);
}

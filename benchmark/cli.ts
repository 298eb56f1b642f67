/** Entry point of the `facebench` executable (bin/facebench.js runs the compiled copy). */
import { main } from './program.js';

process.exitCode = await main(process.argv);

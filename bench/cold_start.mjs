// One cold start in a fresh Node process (bench/run.mjs starts one per runtime and repetition):
//   node bench/cold_start.mjs <vitrine|ort|tfjs> <distDir> <rooflineModule> <modelDir>
// Prints {"runtime", "ms"}: from the runtime's import to its first MLP result.
import { coldStart } from './suite.mjs';
import { nodeEnv } from './node_env.mjs';

const [name, distDir, rooflineModule, modelDir] = process.argv.slice(2);
const ms = await coldStart(name, nodeEnv({ distDir, rooflineModule, modelDir }));
process.stdout.write(JSON.stringify({ runtime: name, ms }) + '\n');

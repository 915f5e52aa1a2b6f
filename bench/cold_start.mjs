// One cold start in a fresh Node process (bench/run.mjs starts one per runtime and repetition):
//   node bench/cold_start.mjs <vitrine|ort|tfjs> <benchModule> <modelDir>
// Prints {"runtime", "ms"}: from the runtime's import to its first MLP result.
import { coldStart } from './suite.mjs';
import { nodeEnv } from './node_env.mjs';

const [name, benchModule, modelDir] = process.argv.slice(2);
const ms = await coldStart(name, nodeEnv({ benchModule, modelDir }));
process.stdout.write(JSON.stringify({ runtime: name, ms }) + '\n');

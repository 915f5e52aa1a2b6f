// One cold start in a fresh Node process (bench/run.mjs starts one per runtime and repetition):
//   node bench/cold_start.mjs <vitrine|ort|tfjs|engine> <benchModule> <modelDir> <distDir> <sessionModel>
// Prints {"runtime", "ms"}: from the runtime's import to its first MLP result.
import { coldStart } from './suite.mjs';
import { nodeEnv } from './node_env.mjs';

const [name, benchModule, modelDir, distDir, sessionModel] = process.argv.slice(2);
const ms = await coldStart(name, nodeEnv({ benchModule, modelDir, distDir, sessionModel }));
process.stdout.write(JSON.stringify({ runtime: name, ms }) + '\n');

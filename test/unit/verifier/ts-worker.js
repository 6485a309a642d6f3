// Worker-thread entry for unit tests, which run without a build: compiles
// TypeScript on require with @swc/core and the project's .swcrc (as @swc/jest
// does), then loads the verifier's worker-pool module, which starts inspecting.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '../../..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename, sourceMaps: false });
  module._compile(code, filename);
};
require(join(root, 'src/cli/verify-pool.ts'));

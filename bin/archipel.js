#!/usr/bin/env node
require('../dist/cli/archipel.js').main();

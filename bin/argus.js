#!/usr/bin/env node
'use strict';
// Thin shim so the "bin" link exists before the first build; the CLI lives in src/cli.
require('../dist/src/cli/argus.js')
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });

'use strict';
// Native addons (onnxruntime-node) check `instanceof Float32Array` against the realm they were
// loaded in, while jest runs tests in a separate vm realm with its own typed-array constructors.
// Sharing the outer realm's constructors makes typed arrays created in tests acceptable to them.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
];

class ArgusTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = ArgusTestEnvironment;

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Node cannot run TypeScript by itself (before 22), and test/ is not compiled: this hook compiles
 * each required .ts file with @swc/core (already the jest transform) so a child process can run
 * a TypeScript script against the TypeScript sources.
 */
const HOOK = `
const swc = require('@swc/core');
require.extensions['.ts'] = (m, filename) => {
  const { code } = swc.transformFileSync(filename, {
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  m._compile(code, filename);
};
require(process.argv[1]);
`;

export function spawnTsChild(script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-e', HOOK, path.resolve(script), ...args], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

import type { CliRig, SpawnOptions } from './cli-harness.js';

/**
 * Runs each of `commands` (the arguments after `dev`) in `rig` and expects every one to be
 * refused with exit 1 and exactly `stderr`; then that no docker command ran at all.
 */
export async function expectRefused(
  rig: CliRig,
  commands: readonly (readonly string[])[],
  stderr: string,
  options: SpawnOptions = {},
): Promise<void> {
  for (const args of commands) {
    const result = await rig.run(args, options);
    expect({ args, stderr: result.stderr, code: result.code }).toStrictEqual({ args, stderr, code: 1 });
  }
  expect(rig.calls()).toStrictEqual([]);
}

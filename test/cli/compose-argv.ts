import { composeFile } from './cli-harness.js';

/**
 * The compose argv of one project, as the fake docker records it (no program
 * name), written out here independently of src/plan: SPEC §3's table.
 */
export function composeFor(project: string, compose: readonly string[] = ['compose']) {
  const p = [...compose, '-p', project, '-f', composeFile];
  return {
    version: [...compose, 'version'],
    up: (...extra: string[]) => [...p, 'up', '--detach', '--remove-orphans', ...extra],
    follow: [...p, 'logs', '--follow'],
    down: (grace = 10) => [...p, 'down', '--remove-orphans', '--timeout', String(grace)],
    kill: [...p, 'kill'],
    forcedDown: [...p, 'down', '--remove-orphans', '--timeout', '0'],
    ps: [...p, 'ps', '--all', '--format', 'json'],
    tail: (...services: string[]) => [...p, 'logs', '--tail', '50', ...services],
  };
}

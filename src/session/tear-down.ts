// SPEC §3 teardown as the engine sees it: what carries the project's label is listed, removed
// with compose's file-less `down` (and the anonymous volumes with the engine's `volume rm`),
// then listed again — a teardown never says the project is gone without having looked.
import type { DevPlan, Removal, SessionFailure, TeardownPlan } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import { quoteArgv } from '../util/shell-words.js';
import { runPlanned } from './describe-failure.js';

/**
 * The engine names an anonymous volume with 64 random hex digits; compose names its volumes
 * `<project>_<name>` and an external volume has the name its owner chose. Only the former go.
 */
const anonymousVolumeName = /^[0-9a-f]{64}$/;

/** `ps --format {{.Names}}\t{{.Mounts}}` output: the containers and their anonymous volumes. */
export function parseContainerList(stdout: string): Pick<Removal, 'containers' | 'volumes'> {
  const containers: string[] = [];
  const volumes = new Set<string>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [name = '', mounts = ''] = line.split('\t');
    containers.push(name.trim());
    for (const mount of mounts.split(',')) {
      if (anonymousVolumeName.test(mount.trim())) volumes.add(mount.trim());
    }
  }
  return { containers: containers.sort(), volumes: [...volumes].sort() };
}

/** `network ls --format {{.Name}}` output. */
export function parseNetworkList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .sort();
}

async function survey(runner: ComposeRunner, teardown: TeardownPlan, plan: DevPlan, signal: AbortSignal): Promise<Removal> {
  const [containers, networks] = await Promise.all([
    runPlanned(runner, teardown.containers, plan, signal),
    runPlanned(runner, teardown.networks, plan, signal),
  ]);
  return { ...parseContainerList(containers.stdout), networks: parseNetworkList(networks.stdout) };
}

/** Exit 2: `down` succeeded, yet the engine still lists some of the project (created meanwhile?). */
function leftFailure(plan: DevPlan, teardown: TeardownPlan, left: Removal): SessionFailure {
  const things = [
    ...(left.containers.length === 0 ? [] : [`containers ${left.containers.join(', ')}`]),
    ...(left.networks.length === 0 ? [] : [`networks ${left.networks.join(', ')}`]),
  ].join(' and ');
  return {
    kind: 'command-failed',
    message:
      `teardown of project ${plan.projectName} left ${things} behind (\`${quoteArgv(teardown.down.argv)}\` succeeded, ` +
      `but the engine still lists them: created while it ran?); run \`stagecraft dev down\` to retry`,
  };
}

/**
 * Removes every container, network and anonymous volume labelled with the plan's project,
 * then checks the engine lists none of them. Resolves with what was there; rejects with a
 * described failure when a command fails or something is left.
 */
export async function tearDown(runner: ComposeRunner, teardown: TeardownPlan, plan: DevPlan, signal: AbortSignal): Promise<Removal> {
  const before = await survey(runner, teardown, plan, signal);
  await runPlanned(runner, teardown.down, plan, signal);
  if (before.volumes.length > 0) {
    await runPlanned(runner, { ...teardown.removeVolumes, argv: [...teardown.removeVolumes.argv, ...before.volumes] }, plan, signal);
  }
  const after = await survey(runner, teardown, plan, signal);
  if (after.containers.length > 0 || after.networks.length > 0) throw leftFailure(plan, teardown, after);
  return before;
}

/** The forced teardown: `kill` (its failure, say a container already gone, must not stop the rest), then the teardown with `--timeout 0`. */
export async function forceTearDown(runner: ComposeRunner, plan: DevPlan, signal: AbortSignal): Promise<Removal> {
  await runner.run(plan.forcedTeardown.kill, signal).catch(() => undefined);
  return tearDown(runner, plan.forcedTeardown.teardown, plan, signal);
}

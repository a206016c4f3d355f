import type { DevOptions, DevPlan, Phase, PlannedCommand } from '../../machines/dev-session.types.js';
import type { DevFiles } from '../dev-files/read-dev-files.js';
import { inputFailure } from '../util/input-failure.js';
import { checkFlags, checkProjectName, composeArgv } from './check-flags.js';

/** Lines of each failed service's log printed by the failure diagnostics. */
export const diagnosticsTail = 50;

function projectNameOf(files: DevFiles, options: DevOptions): string {
  if (options.projectName !== undefined) return options.projectName;
  if (files.name === undefined) {
    throw inputFailure(
      `no project name: ${files.composeFile} has no top-level \`name\` and --project-name was not given; add \`name:\` to compose.yaml or pass --project-name`,
    );
  }
  checkProjectName(files.name, `\`name\` in ${files.composeFile}`);
  return files.name;
}

/**
 * The engine CLI behind a compose command, for `inspect`: the compose command without its
 * `compose` (`docker --context remote compose` → `docker --context remote`, `podman compose`
 * → `podman`), so it asks the same engine; else `docker` (a standalone `docker-compose`).
 */
function engineOf(compose: readonly string[]): readonly string[] {
  return compose.length > 1 && compose.at(-1) === 'compose' ? compose.slice(0, -1) : ['docker'];
}

/** `down` with the stop timeout a teardown gives every service. */
function downArgs(graceSeconds: number): string[] {
  return ['down', '--remove-orphans', '--timeout', String(graceSeconds)];
}

/**
 * The command plan of SPEC §3: a pure function of the dev files and the flags.
 * Same inputs, byte-identical argv. Throws an `input` failure for bad flags or
 * a missing or invalid project name.
 */
export function buildPlan(files: DevFiles, options: DevOptions): DevPlan {
  checkFlags(options);
  const compose = composeArgv(options.composeCommand);
  const projectName = projectNameOf(files, options);
  const scaledToZero = options.noTraefik ? files.services.filter((s) => s.traefik).map((s) => s.name) : [];
  const project = [...compose, '-p', projectName, '-f', files.composeFile];
  const command = (phase: Phase, ...args: string[]): PlannedCommand => ({ phase, argv: [...project, ...args] });
  const expected = files.services.filter((s) => !s.profiled && !s.noReplicas && !scaledToZero.includes(s.name));
  const scale = scaledToZero.flatMap((service) => ['--scale', `${service}=0`]);
  return {
    projectName,
    compose,
    composeFile: files.composeFile,
    events: command('events', 'events', '--json'),
    start: command('start', 'up', '--detach', '--remove-orphans', ...scale),
    attach: command('attach', 'logs', '--follow', '--timestamps'),
    graceSeconds: options.graceSeconds,
    teardown: command('teardown', ...downArgs(options.graceSeconds)),
    forcedTeardown: [
      command('forcedTeardown', 'kill'),
      command('forcedTeardown', 'down', '--remove-orphans', '--timeout', '0'),
    ],
    exitCodes: command('exitCodes', 'ps', '--all', '--format', 'json'),
    diagnostics: command('diagnostics', 'logs', '--tail', String(diagnosticsTail)),
    health: { phase: 'health', argv: [...engineOf(compose), 'inspect', '--format', '{{json .State.Health}}'] },
    explain: { phase: 'explain', argv: [...compose, 'version'] },
    services: files.services
      .filter((s) => !s.noReplicas && !scaledToZero.includes(s.name))
      .map((s) => ({ name: s.name, healthcheck: s.healthcheck, restart: s.restart, profiled: s.profiled })),
    scaledToZero,
    expectedServices: expected.map((s) => s.name),
    serviceImages: Object.fromEntries(expected.flatMap((s) => (s.image === undefined ? [] : [[s.name, s.image]]))),
  };
}

/**
 * `plan` for another project of the same dev files and flags (a stale session's, read from
 * its record): every command's `-p` names `project` instead, and the teardown gives
 * `graceSeconds` (that session's own grace, a number read from its record). Nothing else is
 * taken from the record, so no argv from session.json is ever run. Throws an `input`
 * failure, naming `source`, for a project name compose would refuse.
 */
export function planForProjectOf(plan: DevPlan, project: string, source: string, graceSeconds = plan.graceSeconds): DevPlan {
  checkProjectName(project, source);
  const at = plan.compose.length;
  const retarget = (command: PlannedCommand): PlannedCommand =>
    command.argv[at] === '-p' && command.argv[at + 1] === plan.projectName
      ? { ...command, argv: [...command.argv.slice(0, at + 1), project, ...command.argv.slice(at + 2)] }
      : command;
  return {
    ...plan,
    projectName: project,
    graceSeconds,
    events: retarget(plan.events),
    start: retarget(plan.start),
    attach: retarget(plan.attach),
    teardown: { phase: 'teardown', argv: [...plan.compose, '-p', project, '-f', plan.composeFile, ...downArgs(graceSeconds)] },
    forcedTeardown: [retarget(plan.forcedTeardown[0]), retarget(plan.forcedTeardown[1])],
    exitCodes: retarget(plan.exitCodes),
    diagnostics: retarget(plan.diagnostics),
  };
}

import { defaultStopGraceSeconds, type DevOptions, type DevPlan, type Phase, type PlannedCommand, type TeardownPlan } from '../../machines/dev-session.types.js';
import type { ComposeService } from '../dev-files/compose-model.js';
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
export function engineOf(compose: readonly string[]): readonly string[] {
  return compose.length > 1 && compose.at(-1) === 'compose' ? compose.slice(0, -1) : ['docker'];
}

/** `down`, with a stop timeout for every service only when `--grace` gave one. */
function downArgs(graceSeconds: number | undefined): string[] {
  return graceSeconds === undefined ? ['down', '--remove-orphans'] : ['down', '--remove-orphans', '--timeout', String(graceSeconds)];
}

/**
 * SPEC §3 teardown of `project`: compose's `down` with `-p` and no `-f` removes what carries the
 * project's label (profiled and one-off containers included) without reading a compose file; the
 * engine's own listings say what is there before (anonymous volumes to remove) and after.
 */
function teardownOf(compose: readonly string[], project: string, phase: 'teardown' | 'forcedTeardown', downTail: readonly string[]): TeardownPlan {
  const engine = engineOf(compose);
  const label = `label=com.docker.compose.project=${project}`;
  return {
    containers: { phase, argv: [...engine, 'ps', '--all', '--no-trunc', '--filter', label, '--format', '{{.Names}}\\t{{.Mounts}}'] },
    networks: { phase, argv: [...engine, 'network', 'ls', '--filter', label, '--format', '{{.Name}}'] },
    down: { phase, argv: [...compose, '-p', project, ...downTail] },
    // --force: a one-off `run --rm` container's anonymous volumes go with it (the engine's
    // auto-remove) once `down` stops it; a volume already gone is not a failure. One still in
    // use is refused all the same.
    removeVolumes: { phase, argv: [...engine, 'volume', 'rm', '--force'] },
  };
}

/** The graceful and the forced teardown of `project`. */
function teardownsOf(compose: readonly string[], project: string, graceSeconds: number | undefined): Pick<DevPlan, 'teardown' | 'forcedTeardown'> {
  return {
    teardown: teardownOf(compose, project, 'teardown', downArgs(graceSeconds)),
    forcedTeardown: {
      kill: { phase: 'forcedTeardown', argv: [...compose, '-p', project, 'kill'] },
      teardown: teardownOf(compose, project, 'forcedTeardown', ['down', '--remove-orphans', '--timeout', '0']),
    },
  };
}

/** Has profiles, none of them active (COMPOSE_PROFILES, as compose reads it: `*` activates every one). */
function behindInactiveProfile(service: ComposeService, active: readonly string[]): boolean {
  return service.profiled && !active.includes('*') && !(service.profiles ?? []).some((profile) => active.includes(profile));
}

/** `graceSeconds` only when `--grace` gave one: JSON (session.json) keeps no undefined key. */
function graceOf(graceSeconds: number | undefined): { graceSeconds?: number } {
  return graceSeconds === undefined ? {} : { graceSeconds };
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
  const leftOut = options.noTraefik ? files.services.filter((s) => s.traefik).map((s) => s.name) : [];
  const project = [...compose, '-p', projectName, '-f', files.composeFile];
  const command = (phase: Phase, ...args: string[]): PlannedCommand => ({ phase, argv: [...project, ...args] });
  const started = files.services.filter((s) => !behindInactiveProfile(s, options.profiles) && !leftOut.includes(s.name));
  const expected = started.filter((s) => !s.noReplicas);
  // `--no-traefik` names the services to start (SPEC §3), so compose never pulls nor builds Traefik's image.
  const selected = options.noTraefik ? started.map((s) => s.name) : [];
  if (options.noTraefik && selected.length === 0 && files.services.length > 0) {
    // `up` naming no service would start them all, Traefik included. (No service at all is
    // the teardown-only plan of a project whose dev files are gone: nothing starts.)
    throw inputFailure(`--no-traefik leaves no service to start: every service of ${files.composeFile} is Traefik or behind an inactive profile`);
  }
  return {
    projectName,
    compose,
    composeFile: files.composeFile,
    events: command('events', 'events', '--json'),
    start: command('start', 'up', '--detach', '--remove-orphans', ...selected),
    attach: command('attach', 'logs', '--follow', '--timestamps'),
    ...graceOf(options.graceSeconds),
    stopGraceSeconds: Math.max(0, ...files.services.map((s) => s.stopGraceSeconds ?? defaultStopGraceSeconds)),
    ...teardownsOf(compose, projectName, options.graceSeconds),
    // By the project's label (no `-f`): `dev status` reads it too, and must work when the file is now invalid.
    exitCodes: { phase: 'exitCodes', argv: [...compose, '-p', projectName, 'ps', '--all', '--format', 'json'] },
    diagnostics: command('diagnostics', 'logs', '--tail', String(diagnosticsTail)),
    health: { phase: 'health', argv: [...engineOf(compose), 'inspect', '--format', '{{json .State.Health}}'] },
    explain: { phase: 'explain', argv: [...compose, 'version'] },
    // `profiled`: behind an inactive profile, so not expected (a profile may still start it by hand).
    services: files.services
      .filter((s) => !s.noReplicas && !leftOut.includes(s.name))
      .map((s) => ({ name: s.name, healthcheck: s.healthcheck, restart: s.restart, profiled: behindInactiveProfile(s, options.profiles) })),
    leftOut,
    expectedServices: expected.map((s) => s.name),
    scaledToZero: started.filter((s) => s.noReplicas).map((s) => s.name),
    serviceImages: Object.fromEntries(expected.flatMap((s) => (s.image === undefined ? [] : [[s.name, s.image]]))),
  };
}

/**
 * `plan` for another project of the same dev files and flags (a stale session's, read from
 * its record): every command's `-p` names `project` instead, and the teardown gives
 * `graceSeconds` (that session's own grace, read from its record; undefined: no `--timeout`). Nothing else is
 * taken from the record, so no argv from session.json is ever run. Throws an `input`
 * failure, naming `source`, for a project name compose would refuse.
 */
export function planForProjectOf(plan: DevPlan, project: string, source: string, graceSeconds: number | undefined = plan.graceSeconds): DevPlan {
  checkProjectName(project, source);
  const at = plan.compose.length;
  const retarget = (command: PlannedCommand): PlannedCommand =>
    command.argv[at] === '-p' && command.argv[at + 1] === plan.projectName
      ? { ...command, argv: [...command.argv.slice(0, at + 1), project, ...command.argv.slice(at + 2)] }
      : command;
  const { graceSeconds: _currentGrace, ...rest } = plan;
  return {
    ...rest,
    projectName: project,
    ...graceOf(graceSeconds),
    events: retarget(plan.events),
    start: retarget(plan.start),
    attach: retarget(plan.attach),
    ...teardownsOf(plan.compose, project, graceSeconds),
    exitCodes: retarget(plan.exitCodes),
    diagnostics: retarget(plan.diagnostics),
  };
}

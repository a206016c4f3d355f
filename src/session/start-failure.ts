// A failed `up`, said in the user's terms (SPEC §5): a build that failed names its service,
// its step and its last lines; a published port that is taken names who holds it and how to
// free it. Anything else stays as describeFailure said it.
import path from 'node:path';
import type { DevPlan, SessionFailure } from '../../machines/dev-session.types.js';
import { describeStep, serviceOfContainer, type BuildFailure } from '../compose/compose-progress-reader.js';
import { portConflictOf, type PortConflict } from '../compose/port-conflict.js';
import { quoteArgv } from '../util/shell-words.js';
import type { PortHolder } from './port-holder.js';

type StartFailed = Extract<SessionFailure, { kind: 'start-failed' }>;

function isStartFailed(value: unknown): value is StartFailed {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'start-failed';
}

/** `exit code: 3` at the end of BuildKit's error, or the error itself. */
function buildError(error: string): string {
  const code = /exit code: (\d+)$/.exec(error);
  return code === null ? error : `exit code ${code[1]}`;
}

/** `the build of api failed at step 2/3 RUN make (exit code 2)`, then its last lines under its name. */
function describeBuild(build: BuildFailure): string {
  const step = build.step === undefined ? '' : ` at ${describeStep(build.step)}`;
  const lines = build.lastLines.map((line) => `\n    ${line}`).join('');
  return `the build of ${build.service} failed${step} (${buildError(build.error)})${lines === '' ? '' : `\n  ${build.service}:${lines}`}`;
}

/** The directory as the user would type it: relative to where they are, when it is below. */
function shown(dir: string, cwd: string): string {
  const relative = path.relative(cwd, dir);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
}

/** Who holds the port and the command that frees it. */
function describeHolder(holder: PortHolder, plan: DevPlan, cwd: string): string {
  switch (holder.kind) {
    case 'container': {
      if (holder.project === undefined) {
        return `container ${holder.name}\n  free it with: ${quoteArgv(['docker', 'stop', holder.name])}`;
      }
      const stop =
        holder.devDir === undefined
          ? [...plan.compose, '-p', holder.project, 'down']
          : ['stagecraft', 'dev', 'down', '--dev-dir', shown(holder.devDir, cwd), '--project-name', holder.project];
      const whose = holder.devDir === undefined ? `compose project ${holder.project}` : `project ${holder.project}, a stagecraft session`;
      return `container ${holder.name} of ${whose}\n  free it with: ${quoteArgv(stop)}`;
    }
    case 'process':
      return `a process of this host: pid ${holder.pid} (${holder.commandLine})\n  stop it, or publish another host port in compose.yaml`;
    case 'unseen':
      return 'a process stagecraft cannot see from here (another user\'s, or on the engine\'s host)\n  free the port, or publish another host port in compose.yaml';
  }
}

function portMessage(conflict: PortConflict, holder: PortHolder, plan: DevPlan, cwd: string): { message: string; services: string[] } {
  const service = conflict.container === undefined ? undefined : serviceOfContainer(conflict.container, plan.projectName);
  const of = service === undefined ? '' : ` of service ${service}`;
  return {
    message: `starting project ${plan.projectName} failed: port ${conflict.address}${of} is taken by ${describeHolder(holder, plan, cwd)}`,
    services: service === undefined ? [] : [service],
  };
}

export interface StartFailureContext {
  readonly plan: DevPlan;
  readonly cwd: string;
  /** What failed building, as `up`'s output told. */
  readonly builds: readonly BuildFailure[];
  /** Looks up who holds a taken port (an effect: `docker ps`, /proc). */
  readonly findHolder: (conflict: PortConflict) => Promise<PortHolder>;
}

/** `failure` (as describeFailure said it) told better when it is a build or a taken port; else as it is. */
export async function describeStartFailure(failure: unknown, context: StartFailureContext): Promise<unknown> {
  if (!isStartFailed(failure)) return failure;
  const { plan, builds } = context;
  if (builds.length > 0) {
    return {
      ...failure,
      message: `starting project ${plan.projectName} failed: ${builds.map(describeBuild).join('\n  ')}`,
      services: [...new Set(builds.map((build) => build.service))].sort(),
    };
  }
  const conflict = portConflictOf(failure.stderrTail);
  if (conflict === undefined) return failure;
  const holder = await context.findHolder(conflict);
  return { ...failure, ...portMessage(conflict, holder, plan, context.cwd) };
}

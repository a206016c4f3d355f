// Which project `dev logs` and `dev exec` work on, and which services it has.
import { toFailure } from '../../machines/dev-session.output.js';
import type { DevOptions } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import { parsePsOutput } from '../compose/parse-ps.js';
import { readDevFiles } from '../dev-files/read-dev-files.js';
import { planForProject } from '../down/down-plan.js';
import { buildPlan } from '../plan/build-plan.js';
import { checkFlags } from '../plan/check-flags.js';
import { unknownServicesFailure, type ProjectTarget } from '../plan/day-two-commands.js';
import { readSessionFile, sessionFilePath } from '../session-file/session-file.js';
import { runPlanned } from '../session/describe-failure.js';

/**
 * The dev files' project (`-f F`, and their services). When they are gone or invalid (an
 * `input` failure), the project `--project-name` or else the session record names, by its
 * label alone: its containers still run, and compose finds them without a file. The record
 * gives a name only, never argv (as for `dev down`). Rejects with an `input` failure when
 * neither names one.
 */
export async function loadProjectTarget(options: DevOptions, cwd: string): Promise<ProjectTarget> {
  checkFlags(options); // a bad flag is an error, not a reason to look elsewhere
  try {
    const files = await readDevFiles(options.devDir, cwd);
    return { plan: buildPlan(files, options), composeFile: files.composeFile, services: files.services.map((s) => s.name) };
  } catch (error) {
    if (toFailure(error).kind !== 'input') throw error;
    const recorded = options.projectName === undefined ? (await readSessionFile(sessionFilePath(options.devDir, cwd)))?.project : undefined;
    const project = options.projectName ?? recorded;
    if (project === undefined) throw error;
    const plan = planForProject(options, project, options.projectName === undefined ? 'the session file' : '--project-name');
    return { plan, composeFile: undefined, services: undefined };
  }
}

/**
 * Resolves when every one of `named` is a service of the project: one of compose.yaml's, or,
 * without dev files, one the engine has a container of (`C -p P ps --all`), asked only when
 * there is a `runner` (a dry run asks nothing). Rejects with an `input` failure listing the
 * services otherwise, or with the failure of `ps`.
 */
export async function checkServices(target: ProjectTarget, named: readonly string[], runner: ComposeRunner | undefined): Promise<void> {
  if (named.length === 0) return;
  let known = target.services;
  if (known === undefined) {
    if (runner === undefined) return;
    const { plan } = target;
    const ps = await runPlanned(runner, plan.exitCodes, plan, new AbortController().signal);
    known = [...new Set(parsePsOutput(plan.exitCodes, ps.stdout).map((c) => c.service).filter((s) => s !== ''))];
  }
  const failure = unknownServicesFailure(named, known, target.plan.projectName);
  if (failure !== undefined) throw failure;
}

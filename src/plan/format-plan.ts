import type { DevPlan, PlannedCommand, SessionMode, TeardownPlan } from '../../machines/dev-session.types.js';
import { quoteArgv } from '../util/shell-words.js';

export interface PlanSection {
  readonly title: string;
  readonly commands: readonly PlannedCommand[];
}

/**
 * A teardown's commands in the order they run: the listings (before, and again after `down` to
 * check nothing is left), `down`, and `volume rm` with the anonymous volumes found appended.
 */
function teardownCommands(teardown: TeardownPlan): PlannedCommand[] {
  return [teardown.containers, teardown.networks, teardown.down, teardown.removeVolumes];
}

/** What a teardown's `volume rm` line is printed without, said in its section's title. */
const volumesAppended = 'volume rm: the anonymous volumes found, appended at run time; not run when none';

/**
 * A teardown's section: `what (why; what volume rm gets)`, then `first` (a `kill`) and the
 * teardown's commands. Like the diagnostics, whose arguments are appended at run time too.
 */
export function teardownSection(what: string, why: string | undefined, teardown: TeardownPlan, first: readonly PlannedCommand[] = []): PlanSection {
  return { title: `${what} (${why === undefined ? '' : `${why}; `}${volumesAppended})`, commands: [...first, ...teardownCommands(teardown)] };
}

/** The phases a session in `mode` may run, in the order it would run them. */
export function planSections(plan: DevPlan, mode: SessionMode, keepOnFailure: boolean, wait: boolean): PlanSection[] {
  const sections: PlanSection[] = [];
  if (mode === 'foreground' || wait) {
    sections.push({ title: `events (followed from before start${mode === 'foreground' ? '' : ' until ready'})`, commands: [plan.events] });
  }
  sections.push({ title: 'start', commands: [plan.start] });
  if (mode === 'foreground' || wait) {
    sections.push({ title: 'container states, once after start (for what the events missed)', commands: [plan.exitCodes] });
  }
  if (mode === 'foreground') {
    sections.push(
      { title: 'attach (foreground; re-attached with --since <last line time> when compose ends it early)', commands: [plan.attach] },
      teardownSection('teardown', 'Ctrl+C, or the stack ended', plan.teardown),
      teardownSection('forced teardown', 'second Ctrl+C', plan.forcedTeardown.teardown, [plan.forcedTeardown.kill]),
    );
  }
  sections.push({
    title: 'failure diagnostics (failed services, then their containers, appended at run time)',
    commands: [plan.diagnostics, plan.health],
  });
  if (!keepOnFailure) sections.push(teardownSection('rollback after a failed start', undefined, plan.teardown));
  return sections;
}

/**
 * The plan as text: a `# phase` line, then one shell-quoted command per line.
 * Lines not starting with `#` are exactly the argv a real run executes.
 */
export function formatPlan(plan: DevPlan, mode: SessionMode, keepOnFailure: boolean, wait: boolean): string {
  return formatSections(planSections(plan, mode, keepOnFailure, wait));
}

/** Sections as text: a `# title` line, then one shell-quoted command per line. */
export function formatSections(sections: readonly PlanSection[]): string {
  return sections
    .map((section) => [`# ${section.title}`, ...section.commands.map((c) => quoteArgv(c.argv))].join('\n'))
    .join('\n')
    .concat('\n');
}

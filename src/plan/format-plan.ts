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
export function teardownCommands(teardown: TeardownPlan): PlannedCommand[] {
  return [teardown.containers, teardown.networks, teardown.down, teardown.removeVolumes];
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
      { title: 'teardown (Ctrl+C, or the stack ended)', commands: teardownCommands(plan.teardown) },
      {
        title: 'forced teardown (second Ctrl+C)',
        commands: [plan.forcedTeardown.kill, ...teardownCommands(plan.forcedTeardown.teardown)],
      },
    );
  }
  sections.push({
    title: 'failure diagnostics (failed services, then their containers, appended at run time)',
    commands: [plan.diagnostics, plan.health],
  });
  if (!keepOnFailure) sections.push({ title: 'rollback after a failed start', commands: teardownCommands(plan.teardown) });
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

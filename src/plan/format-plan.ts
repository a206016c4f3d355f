import type { DevPlan, PlannedCommand, SessionMode } from '../../machines/dev-session.types.js';
import { quoteArgv } from '../util/shell-words.js';

export interface PlanSection {
  readonly title: string;
  readonly commands: readonly PlannedCommand[];
}

/** The phases a session in `mode` may run, in the order it would run them. */
export function planSections(plan: DevPlan, mode: SessionMode, keepOnFailure: boolean): PlanSection[] {
  const sections: PlanSection[] = [
    { title: 'preflight', commands: [plan.preflight] },
    { title: 'start', commands: [plan.start] },
  ];
  if (mode === 'foreground') {
    sections.push(
      { title: 'attach (foreground)', commands: [plan.attach] },
      { title: 'stack ended by itself: read exit codes', commands: [plan.exitCodes] },
      { title: 'teardown (Ctrl+C, or the stack ended)', commands: [plan.teardown] },
      { title: 'forced teardown (second Ctrl+C)', commands: plan.forcedTeardown },
    );
  }
  sections.push({
    title: 'failure diagnostics (failed services appended at run time)',
    commands: [plan.exitCodes, plan.diagnostics],
  });
  if (!keepOnFailure) sections.push({ title: 'rollback after a failed start', commands: [plan.teardown] });
  return sections;
}

/**
 * The plan as text: a `# phase` line, then one shell-quoted command per line.
 * Lines not starting with `#` are exactly the argv a real run executes.
 */
export function formatPlan(plan: DevPlan, mode: SessionMode, keepOnFailure: boolean): string {
  return formatSections(planSections(plan, mode, keepOnFailure));
}

/** Sections as text: a `# title` line, then one shell-quoted command per line. */
export function formatSections(sections: readonly PlanSection[]): string {
  return sections
    .map((section) => [`# ${section.title}`, ...section.commands.map((c) => quoteArgv(c.argv))].join('\n'))
    .join('\n')
    .concat('\n');
}

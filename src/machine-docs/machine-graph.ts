import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** One edge of the lifecycle, read from the machine definition itself. */
export interface MachineEdge {
  /** Dotted state path, e.g. `stopping.graceful`. */
  readonly source: string;
  readonly target: string;
  /** `STOP`, `LOGS_ENDED`, `done: start`, `error: start`, `after: teardownDeadline`. */
  readonly event: string;
  readonly guard: string | undefined;
}

export interface MachineState {
  readonly path: string;
  readonly type: string;
  readonly initial: string | undefined;
  readonly invokes: readonly string[];
}

export interface MachineGraph {
  readonly states: readonly MachineState[];
  readonly edges: readonly MachineEdge[];
}

const pathOf = (node: AnyStateNode): string => node.path.join('.');

/** Human name for XState's internal event types. */
function eventLabel(eventType: string, delays: Map<string, string>): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done: ${done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error: ${error[1]}`;
  if (eventType.startsWith('xstate.after.')) return `after: ${delays.get(eventType) ?? eventType}`;
  return eventType;
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}

/** Every state and transition of `machine`, in definition order. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: MachineState[] = [];
  const edges: MachineEdge[] = [];
  const visit = (node: AnyStateNode): void => {
    if (node.path.length > 0) {
      states.push({
        path: pathOf(node),
        type: node.type,
        initial: node.initial?.target[0]?.key,
        invokes: node.invoke.map((i: { src: unknown }) => String(i.src)),
      });
    }
    const delays = new Map<string, string>(
      node.after.map((t: { eventType: string; delay: unknown }) => [t.eventType, String(t.delay)]),
    );
    for (const [eventType, transitions] of node.transitions) {
      for (const t of transitions) {
        for (const target of t.target ?? []) {
          edges.push({ source: pathOf(node), target: pathOf(target), event: eventLabel(eventType, delays), guard: guardName(t.guard) });
        }
      }
    }
    for (const child of Object.values(node.states)) visit(child as AnyStateNode);
  };
  visit(machine.root);
  return { states, edges };
}

import { and, not, or, type AnyStateMachine, type AnyStateNode } from 'xstate';

/** The source of a transition the machine itself handles: it applies in any state. */
export const anyState = '*';

/** One edge of the lifecycle, read from the machine definition itself. */
export interface MachineEdge {
  /** Dotted state path, e.g. `stopping.graceful`; {@link anyState} for the machine's own `on`. */
  readonly source: string;
  /** The state it goes to; the source itself when the transition only runs actions (no target). */
  readonly target: string;
  /** `STOP`, `LOGS_ENDED`, `done: start`, `error: start`, `after: teardownDeadline`, `always` (eventless). */
  readonly event: string;
  readonly guard: string | undefined;
  /** Set when the transition has no target: it runs its actions and stays where it is. */
  readonly targetless?: true;
}

export interface MachineState {
  readonly path: string;
  /** `atomic`, `compound`, `parallel` (its children are regions, all active at once) or `final`. */
  readonly type: string;
  readonly initial: string | undefined;
  readonly invokes: readonly string[];
}

export interface MachineGraph {
  readonly states: readonly MachineState[];
  readonly edges: readonly MachineEdge[];
}

interface TransitionDefinition {
  readonly target?: readonly AnyStateNode[];
  readonly guard?: unknown;
}

const pathOf = (node: AnyStateNode): string => (node.path.length === 0 ? anyState : node.path.join('.'));

/** Human name for XState's internal event types. */
function eventLabel(eventType: string, delays: Map<string, string>): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done: ${done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error: ${error[1]}`;
  if (eventType.startsWith('xstate.after.')) return `after: ${delays.get(eventType) ?? eventType}`;
  return eventType;
}

/** The `check` of xstate's guard combinators (one per kind, shared by every guard it makes), by name. */
const checkOf = (guard: unknown): unknown => (guard as { check?: unknown }).check;
const combinators = new Map<unknown, string>([
  [checkOf(not('x')), 'not'],
  [checkOf(and([])), 'and'],
  [checkOf(or([])), 'or'],
]);

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  // xstate's not/and/or: a function holding the guards it combines.
  const combinator = typeof guard === 'function' ? combinators.get(checkOf(guard)) : undefined;
  const combined: unknown = typeof guard === 'function' ? (guard as { guards?: unknown }).guards : undefined;
  if (combinator !== undefined && Array.isArray(combined)) {
    return `${combinator}(${combined.map((g: unknown) => guardName(g) ?? 'guard').join(', ')})`;
  }
  return 'guard';
}

/** Every state and transition of `machine`, in definition order; eventless (`always`) ones after a state's events. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: MachineState[] = [];
  const edges: MachineEdge[] = [];
  const addEdges = (node: AnyStateNode, event: string, transitions: readonly TransitionDefinition[]): void => {
    const source = pathOf(node);
    for (const t of transitions) {
      const guard = guardName(t.guard);
      if (t.target === undefined || t.target.length === 0) {
        edges.push({ source, target: source, event, guard, targetless: true });
        continue;
      }
      for (const target of t.target) edges.push({ source, target: pathOf(target), event, guard });
    }
  };
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
    for (const [eventType, transitions] of node.transitions) addEdges(node, eventLabel(eventType, delays), transitions);
    addEdges(node, 'always', (node.always ?? []) as readonly TransitionDefinition[]);
    for (const child of Object.values(node.states)) visit(child as AnyStateNode);
  };
  visit(machine.root);
  return { states, edges };
}

/** The parent path of a dotted state path (undefined at the top level). */
export const parentOf = (path: string): string | undefined =>
  path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : undefined;

/** A transition's label: its event, then its guard in brackets. */
export const edgeLabel = (edge: MachineEdge): string => (edge.guard === undefined ? edge.event : `${edge.event} [${edge.guard}]`);

import { anyState, edgeLabel, parentOf, type MachineGraph } from './machine-graph.js';

/** Mermaid ids: dots become underscores; the machine's own handlers hang off one `__any` node. */
const id = (path: string): string => (path === anyState ? '__any' : path.replaceAll('.', '_'));

/**
 * The lifecycle as a Mermaid `stateDiagram-v2`: composite states nested, a parallel state's
 * regions separated by `--`, eventless transitions labelled `always`, and what the machine
 * handles in any state drawn from an `any state` node (a self-loop when it only runs actions).
 */
export function toMermaid(graph: MachineGraph, initial: string): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${id(initial)}`];
  if (graph.edges.some((e) => e.source === anyState)) lines.push(`  state "any state" as ${id(anyState)}`);
  const declare = (parent: string | undefined, indent: string): void => {
    const children = graph.states.filter((s) => parentOf(s.path) === parent);
    const regions = graph.states.find((s) => s.path === parent)?.type === 'parallel';
    children.forEach((state, index) => {
      if (regions && index > 0) lines.push(`${indent}--`);
      const name = state.path.split('.').at(-1) ?? state.path;
      if (state.type === 'compound' || state.type === 'parallel') {
        lines.push(`${indent}state "${name}" as ${id(state.path)} {`);
        if (state.initial !== undefined) lines.push(`${indent}  [*] --> ${id(`${state.path}.${state.initial}`)}`);
        declare(state.path, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${name}" as ${id(state.path)}`);
        if (state.type === 'final') lines.push(`${indent}${id(state.path)} --> [*]`);
      }
    });
  };
  declare(undefined, '  ');
  for (const edge of graph.edges) lines.push(`  ${id(edge.source)} --> ${id(edge.target)}: ${edgeLabel(edge)}`);
  return `${lines.join('\n')}\n`;
}

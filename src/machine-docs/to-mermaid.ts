import type { MachineGraph } from './machine-graph.js';

const id = (path: string): string => path.replaceAll('.', '_');

/** The lifecycle as a Mermaid `stateDiagram-v2`, composite states nested. */
export function toMermaid(graph: MachineGraph, initial: string): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${id(initial)}`];
  const children = (parent: string | undefined) =>
    graph.states.filter((s) => (s.path.includes('.') ? s.path.slice(0, s.path.lastIndexOf('.')) : undefined) === parent);
  const declare = (parent: string | undefined, indent: string): void => {
    for (const state of children(parent)) {
      const name = state.path.split('.').at(-1) ?? state.path;
      if (state.type === 'compound') {
        lines.push(`${indent}state "${name}" as ${id(state.path)} {`);
        if (state.initial !== undefined) lines.push(`${indent}  [*] --> ${id(`${state.path}.${state.initial}`)}`);
        declare(state.path, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${name}" as ${id(state.path)}`);
        if (state.type === 'final') lines.push(`${indent}${id(state.path)} --> [*]`);
      }
    }
  };
  declare(undefined, '  ');
  for (const edge of graph.edges) {
    const label = edge.guard === undefined ? edge.event : `${edge.event} [${edge.guard}]`;
    lines.push(`  ${id(edge.source)} --> ${id(edge.target)}: ${label}`);
  }
  return `${lines.join('\n')}\n`;
}

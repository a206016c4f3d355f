import type { MachineGraph } from './machine-graph.js';

const quote = (text: string): string => JSON.stringify(text);

/** The lifecycle as a Graphviz digraph: compound states as clusters, finals double-circled. */
export function toDot(graph: MachineGraph, id: string, initial: string): string {
  const lines = [`digraph ${quote(id)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];', '  __start [shape=point];'];
  const parentOf = (path: string): string | undefined => (path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : undefined);
  const declare = (parent: string | undefined, indent: string): void => {
    for (const state of graph.states.filter((s) => parentOf(s.path) === parent)) {
      const label = state.path.split('.').at(-1) ?? state.path;
      if (state.type === 'compound') {
        lines.push(`${indent}subgraph ${quote(`cluster_${state.path}`)} {`, `${indent}  label=${quote(label)};`);
        declare(state.path, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        const shape = state.type === 'final' ? ', shape=doublecircle' : '';
        lines.push(`${indent}${quote(state.path)} [label=${quote(label)}${shape}];`);
      }
    }
  };
  declare(undefined, '  ');
  const leafOf = (path: string): string => {
    const state = graph.states.find((s) => s.path === path);
    return state?.type === 'compound' && state.initial !== undefined ? leafOf(`${path}.${state.initial}`) : path;
  };
  lines.push(`  __start -> ${quote(leafOf(initial))};`);
  for (const edge of graph.edges) {
    const label = edge.guard === undefined ? edge.event : `${edge.event} [${edge.guard}]`;
    lines.push(`  ${quote(leafOf(edge.source))} -> ${quote(leafOf(edge.target))} [label=${quote(label)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

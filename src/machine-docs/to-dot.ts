import { anyState, edgeLabel, parentOf, type MachineGraph, type MachineState } from './machine-graph.js';

const quote = (text: string): string => JSON.stringify(text);
const cluster = (path: string): string => quote(`cluster_${path}`);
const within = (path: string, ancestor: string): boolean => path.startsWith(`${ancestor}.`);

/**
 * The lifecycle as a Graphviz digraph: composite states as clusters (a parallel state's regions
 * as dashed clusters inside it), finals double-circled, eventless transitions labelled `always`,
 * what the machine handles in any state drawn from an `any state` node. An edge to or from a
 * composite state is clipped at its cluster (`compound=true`, `lhead`/`ltail`).
 */
export function toDot(graph: MachineGraph, id: string, initial: string): string {
  const lines = [`digraph ${quote(id)} {`, '  rankdir=LR;', '  compound=true;', '  node [shape=box, style=rounded];', '  __start [shape=point];'];
  const stateAt = (path: string): MachineState | undefined => graph.states.find((s) => s.path === path);
  const composite = (path: string): boolean => ['compound', 'parallel'].includes(stateAt(path)?.type ?? '');
  if (graph.edges.some((e) => e.source === anyState)) lines.push(`  ${quote(anyState)} [label="any state", shape=plaintext];`);
  const declare = (parent: string | undefined, indent: string): void => {
    const region = stateAt(parent ?? '')?.type === 'parallel';
    for (const state of graph.states.filter((s) => parentOf(s.path) === parent)) {
      const label = state.path.split('.').at(-1) ?? state.path;
      if (composite(state.path)) {
        const kind = state.type === 'parallel' ? ' (parallel)' : '';
        lines.push(`${indent}subgraph ${cluster(state.path)} {`, `${indent}  label=${quote(`${label}${kind}`)};`);
        if (region) lines.push(`${indent}  style=dashed;`);
        declare(state.path, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        const shape = state.type === 'final' ? ', shape=doublecircle' : '';
        lines.push(`${indent}${quote(state.path)} [label=${quote(label)}${shape}];`);
      }
    }
  };
  declare(undefined, '  ');
  // The node an edge to or from a composite state is drawn at: its initial (or first region's) leaf.
  const anchorOf = (path: string): string => {
    const state = stateAt(path);
    if (state === undefined || !composite(path)) return path;
    const first = state.initial ?? graph.states.find((s) => parentOf(s.path) === path)?.path.split('.').at(-1);
    return first === undefined ? path : anchorOf(`${path}.${first}`);
  };
  const attributes = (source: string, target: string, label: string | undefined): string => {
    const list = label === undefined ? [] : [`label=${quote(label)}`];
    if (composite(source) && target !== source && !within(target, source)) list.push(`ltail=${cluster(source)}`);
    if (composite(target) && target !== source && !within(source, target)) list.push(`lhead=${cluster(target)}`);
    return list.length === 0 ? '' : ` [${list.join(', ')}]`;
  };
  lines.push(`  __start -> ${quote(anchorOf(initial))}${attributes('', initial, undefined)};`);
  for (const edge of graph.edges) {
    lines.push(`  ${quote(anchorOf(edge.source))} -> ${quote(anchorOf(edge.target))}${attributes(edge.source, edge.target, edgeLabel(edge))};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

import { devSessionMachine } from '../../machines/dev-session.machine.js';
import { ExitCode } from '../../machines/exit-code.js';
import { machineGraph } from '../machine-docs/machine-graph.js';
import { toDot } from '../machine-docs/to-dot.js';
import { toMermaid } from '../machine-docs/to-mermaid.js';
import type { CliIo } from './cli-io.js';

export const machineFormats = ['mermaid', 'json', 'dot'] as const;
export type MachineFormat = (typeof machineFormats)[number];

/** The lifecycle machine as text, derived from its definition: never a hand-kept copy. */
export function describeMachine(format: MachineFormat): string {
  const graph = machineGraph(devSessionMachine);
  const initial = devSessionMachine.root.initial?.target[0]?.key ?? 'validating';
  switch (format) {
    case 'mermaid':
      return toMermaid(graph, initial);
    case 'dot':
      return toDot(graph, devSessionMachine.id, initial);
    case 'json':
      return `${JSON.stringify({ id: devSessionMachine.id, initial, ...graph }, null, 2)}\n`;
  }
}

/** `stagecraft dev machine [--format mermaid|json]`. */
export function machineCommand(format: MachineFormat, io: CliIo): number {
  io.stdout.write(describeMachine(format));
  return ExitCode.ok;
}

import type { AnyStateMachine } from 'xstate';
import { devDownMachine } from '../../machines/dev-down.machine.js';
import { devRestartMachine } from '../../machines/dev-restart.machine.js';
import { devSessionMachine } from '../../machines/dev-session.machine.js';
import { ExitCode } from '../../machines/exit-code.js';
import { serviceMachine } from '../../machines/service.machine.js';
import { machineGraph } from '../machine-docs/machine-graph.js';
import { toDot } from '../machine-docs/to-dot.js';
import { toMermaid } from '../machine-docs/to-mermaid.js';
import type { CliIo } from './cli-io.js';

export const machineFormats = ['mermaid', 'json', 'dot'] as const;
export type MachineFormat = (typeof machineFormats)[number];

/** The machines `dev machine --machine` prints: the session (default), `dev down`, the per-service machine the session spawns, and `dev restart`. */
const machines = { session: devSessionMachine, down: devDownMachine, service: serviceMachine, restart: devRestartMachine } as const satisfies Record<string, AnyStateMachine>;
export type MachineName = keyof typeof machines;
export const machineNames = Object.keys(machines) as MachineName[];

/** A lifecycle machine as text, derived from its definition: never a hand-kept copy. */
export function describeMachine(format: MachineFormat, name: MachineName = 'session'): string {
  const machine: AnyStateMachine = machines[name];
  const graph = machineGraph(machine);
  const initial = machine.root.initial?.target[0]?.key ?? '';
  switch (format) {
    case 'mermaid':
      return toMermaid(graph, initial);
    case 'dot':
      return toDot(graph, machine.id, initial);
    case 'json':
      return `${JSON.stringify({ id: machine.id, initial, ...graph }, null, 2)}\n`;
  }
}

/** `stagecraft dev machine [--machine session|down|service|restart] [--format mermaid|json|dot]`. */
export function machineCommand(format: MachineFormat, io: CliIo, name: MachineName = 'session'): number {
  io.stdout.write(describeMachine(format, name));
  return ExitCode.ok;
}

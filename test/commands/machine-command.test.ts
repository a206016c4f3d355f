// `stagecraft dev machine [--machine session|down|service] [--format mermaid|json|dot]`: each
// machine derived from its definition; the yargs wiring passes the choice through.
import { EventEmitter } from 'node:events';
import type { CliCommands } from '../../src/cli/cli-commands.js';
import { buildCli } from '../../src/cli/yargs-cli.js';
import { describeMachine, machineCommand, machineNames, type MachineFormat, type MachineName } from '../../src/commands/machine-command.js';
import type { MachineGraph } from '../../src/machine-docs/machine-graph.js';
import { MemoryStream } from '../output/reporter-rig.js';

type Exported = MachineGraph & { id: string; initial: string };
const exportOf = (name: MachineName): Exported => JSON.parse(describeMachine('json', name)) as Exported;
const exported = exportOf('down');
const has = (source: string, event: string, target: string, guard?: string) =>
  exported.edges.some((e) => e.source === source && e.event === event && e.target === target && e.guard === guard);

describe('describeMachine(…, "down")', () => {
  it('lists the states of the down machine, the final ones marked final', () => {
    expect([exported.id, exported.initial]).toStrictEqual(['devDown', 'reading']);
    expect(exported.states.map((s) => s.path)).toStrictEqual([
      'reading',
      'planning',
      'stoppingHolder',
      'stoppingHolder.asking',
      'stoppingHolder.waiting',
      'stoppingHolder.forcing',
      'stoppingHolder.waitingForced',
      'awaitingHolder',
      'locking',
      'tearingDown',
      'tearingDown.staleProject',
      'tearingDown.ownProject',
      'releasing',
      'restoring',
      'done',
      'failed',
      'interrupted',
    ]);
    expect(exported.states.filter((s) => s.type === 'final').map((s) => s.path)).toStrictEqual(['done', 'failed', 'interrupted']);
  });

  it('shows the holder steps with their guards and named delays', () => {
    expect(has('planning', 'done: loadPlan', 'awaitingHolder', 'holderTearingDown')).toBe(true);
    expect(has('planning', 'done: loadPlan', 'stoppingHolder', 'hasHolder')).toBe(true);
    expect(has('stoppingHolder.waiting', 'after: holderStopTimeout', 'stoppingHolder.forcing')).toBe(true);
    expect(has('stoppingHolder.waitingForced', 'after: holderForceTimeout', 'failed')).toBe(true);
    expect(has('awaitingHolder', 'after: holderTeardownTimeout', 'failed')).toBe(true);
    expect(has('tearingDown', 'STOP', 'restoring')).toBe(true);
    expect(has('restoring', 'done: restoreLock', 'interrupted', 'stopped')).toBe(true);
  });

  it('has 42 transitions, none eventless, none targetless, none the machine handles in any state', () => {
    expect(exported.edges).toHaveLength(42);
    expect(exported.edges.filter((e) => e.event === 'always' || e.targetless === true || e.source === '*')).toStrictEqual([]);
  });

  it('prints mermaid from the same definition, starting at reading; the session machine stays the default', () => {
    const mermaid = describeMachine('mermaid', 'down');
    expect(mermaid.split('\n').slice(0, 2)).toStrictEqual(['stateDiagram-v2', '  [*] --> reading']);
    expect(mermaid).toContain('  stoppingHolder_waiting --> stoppingHolder_forcing: after: holderStopTimeout\n');
    expect(mermaid).not.toContain('any state');
    expect(describeMachine('mermaid')).toBe(describeMachine('mermaid', 'session'));
    expect(describeMachine('dot', 'down').startsWith('digraph "devDown" {\n')).toBe(true);
  });
});

describe('describeMachine(…, "service")', () => {
  it('is the per-service machine: id service, initial pending, eleven atomic states and no final one', () => {
    const service = exportOf('service');
    expect([service.id, service.initial]).toStrictEqual(['service', 'pending']);
    expect(service.states.map((s) => `${s.path}:${s.type}`)).toStrictEqual([
      'pending:atomic',
      'created:atomic',
      'starting:atomic',
      'running:atomic',
      'healthy:atomic',
      'unhealthy:atomic',
      'stopping:atomic',
      'stopped:atomic',
      'restarting:atomic',
      'exited:atomic',
      'removed:atomic',
    ]);
  });

  it('prints mermaid and dot with the engine events drawn from `any state`', () => {
    const mermaid = describeMachine('mermaid', 'service');
    expect(mermaid.split('\n').slice(0, 3)).toStrictEqual(['stateDiagram-v2', '  [*] --> pending', '  state "any state" as __any']);
    expect(mermaid).toContain('  __any --> restarting: DIE [willRestart]\n');
    expect(mermaid).toContain('  stopping --> stopped: DIE\n');
    const dot = describeMachine('dot', 'service');
    expect(dot.startsWith('digraph "service" {\n')).toBe(true);
    expect(dot).toContain('  "*" -> "starting" [label="START [hasHealthcheck]"];\n');
  });
});

describe('machineCommand', () => {
  it.each(machineNames.flatMap((name) => (['mermaid', 'json', 'dot'] as const).map((format) => [name, format] as const)))(
    '--machine %s --format %s writes describeMachine to stdout and returns 0',
    (name: MachineName, format: MachineFormat) => {
      const stdout = new MemoryStream();
      const stderr = new MemoryStream();
      const code = machineCommand(format, { stdout, stderr, env: {}, cwd: '/', process: new EventEmitter() }, name);
      expect([code, stdout.text, stderr.text]).toStrictEqual([0, describeMachine(format, name), '']);
    },
  );

  it('knows exactly the session, down, service and restart machines', () => {
    expect(machineNames).toStrictEqual(['session', 'down', 'service', 'restart']);
  });
});

describe('`dev machine` through the yargs wiring', () => {
  /** What `commands.machine` was called with for `argv`, or the usage error. */
  async function machineArgs(argv: readonly string[]): Promise<readonly unknown[]> {
    const calls: unknown[][] = [];
    const unexpected = async () => {
      throw new Error('not the machine command');
    };
    const commands: CliCommands = {
      dev: unexpected,
      down: unexpected,
      plan: unexpected,
      generate: unexpected,
      status: unexpected,
      machine: async (format, name) => {
        calls.push([format, name]);
      },
      init: unexpected,
      logs: unexpected,
      restart: unexpected,
      exec: unexpected,
      inspect: unexpected,
    };
    try {
      await buildCli(argv, {}, commands, () => '0.0.0').exitProcess(false).parseAsync();
    } catch (error) {
      return [`error: ${error instanceof Error ? error.message : String(error)}`];
    }
    expect(calls).toHaveLength(1);
    return calls[0] ?? [];
  }

  it.each([
    [['dev', 'machine'], ['mermaid', 'session']],
    [['dev', 'machine', '--machine', 'service'], ['mermaid', 'service']],
    [['dev', 'machine', '--machine=service', '--format', 'dot'], ['dot', 'service']],
    [['dev', 'machine', '--format', 'json', '--machine', 'down'], ['json', 'down']],
    [['dev', 'machine', '--machine', 'restart'], ['mermaid', 'restart']],
  ])('%j runs commands.machine(%j)', async (argv, expected) => {
    expect(await machineArgs(argv)).toStrictEqual(expected);
  });

  it('rejects a machine it does not know, naming the choices', async () => {
    expect(await machineArgs(['dev', 'machine', '--machine', 'guardian'])).toStrictEqual([
      'error: Invalid values:\n  Argument: machine, Given: "guardian", Choices: "session", "down", "service", "restart"',
    ]);
  });
});

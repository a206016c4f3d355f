// `stagecraft dev machine --machine down`: the dev-down machine, derived from its definition.
import { describeMachine } from '../../src/commands/machine-command.js';
import type { MachineGraph } from '../../src/machine-docs/machine-graph.js';

const exported = JSON.parse(describeMachine('json', 'down')) as MachineGraph & { id: string; initial: string };
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

  it('prints mermaid from the same definition, starting at reading; the session machine stays the default', () => {
    const mermaid = describeMachine('mermaid', 'down');
    expect(mermaid.split('\n').slice(0, 2)).toStrictEqual(['stateDiagram-v2', '  [*] --> reading']);
    expect(mermaid).toContain('  stoppingHolder_waiting --> stoppingHolder_forcing: after: holderStopTimeout\n');
    expect(describeMachine('mermaid')).toBe(describeMachine('mermaid', 'session'));
    expect(describeMachine('dot', 'down').startsWith('digraph "devDown" {\n')).toBe(true);
  });
});

import { describeMachine } from '../../src/commands/machine-command.js';
import type { MachineGraph } from '../../src/machine-docs/machine-graph.js';

const exported = JSON.parse(describeMachine('json')) as MachineGraph & { id: string; initial: string };
const edge = (source: string, event: string, target: string) =>
  exported.edges.some((e) => e.source === source && e.event === event && e.target === target);

test('the JSON export lists every state of SPEC §4, with the final ones marked final', () => {
  expect(exported.initial).toBe('validating');
  expect(exported.states.map((s) => s.path)).toEqual([
    'validating',
    'preflight',
    'reconciling',
    'starting',
    'attached',
    'stopping',
    'stopping.readingExitCodes',
    'stopping.graceful',
    'stopping.forced',
    'rollingBack',
    'rollingBack.diagnosing',
    'rollingBack.tearingDown',
    'detached',
    'stopped',
    'failed',
    'abandoned',
  ]);
  expect(exported.states.filter((s) => s.type === 'final').map((s) => s.path)).toEqual([
    'detached',
    'stopped',
    'failed',
    'abandoned',
  ]);
});

test.each([
  ['validating', 'done: validate', 'preflight'],
  ['validating', 'error: validate', 'failed'],
  ['preflight', 'done: preflight', 'starting'],
  ['preflight', 'error: preflight', 'failed'],
  ['starting', 'done: start', 'attached'],
  ['starting', 'done: start', 'detached'],
  ['starting', 'error: start', 'rollingBack'],
  ['starting', 'STOP', 'stopping'],
  ['attached', 'STOP', 'stopping'],
  ['attached', 'LOGS_ENDED', 'stopping.readingExitCodes'],
  ['stopping.graceful', 'done: teardown', 'stopped'],
  ['stopping.graceful', 'STOP', 'stopping.forced'],
  ['stopping.forced', 'done: forcedTeardown', 'stopped'],
  ['stopping.forced', 'STOP', 'abandoned'],
  ['rollingBack.diagnosing', 'done: diagnose', 'rollingBack.tearingDown'],
  ['rollingBack.tearingDown', 'done: teardown', 'failed'],
])('SPEC §4 transition %s --%s--> %s is in the export', (source, event, target) => {
  expect(edge(source, event, target)).toBe(true);
});

test('every state but the final ones handles STOP', () => {
  const leaves = exported.states.filter((s) => s.type === 'atomic').map((s) => s.path);
  expect(leaves.filter((path) => !exported.edges.some((e) => e.source === path && e.event === 'STOP'))).toEqual([]);
});

test('the dot export names every state and edge of the JSON export', () => {
  const dot = describeMachine('dot');
  for (const state of exported.states.filter((s) => s.type !== 'compound')) expect(dot).toContain(`"${state.path}" [label=`);
  expect(dot.match(/ -> /g)).toHaveLength(exported.edges.length + 1); // + the initial arrow
});

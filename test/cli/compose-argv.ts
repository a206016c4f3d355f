import { composeFile } from './cli-harness.js';

/**
 * The compose argv of one project, as the fake docker records it (no program
 * name), written out here independently of src/plan: SPEC §3's table.
 */
export function composeFor(project: string, compose: readonly string[] = ['compose']) {
  const p = [...compose, '-p', project, '-f', composeFile];
  const byLabel = [...compose, '-p', project];
  // The engine CLI behind compose (`--context x compose` → `--context x`); the fake logs no program name.
  const engine = compose.at(-1) === 'compose' ? compose.slice(0, -1) : [];
  const label = `label=com.docker.compose.project=${project}`;
  const containers = [...engine, 'ps', '--all', '--no-trunc', '--filter', label, '--format', '{{.Names}}\\t{{.Mounts}}'];
  const networks = [...engine, 'network', 'ls', '--filter', label, '--format', '{{.Name}}'];
  const survey = together(containers, networks);
  const down = (grace?: number): string[] => [...byLabel, 'down', '--remove-orphans', ...(grace === undefined ? [] : ['--timeout', String(grace)])];
  const kill = [...byLabel, 'kill'];
  const forcedDown = [...byLabel, 'down', '--remove-orphans', '--timeout', '0'];
  return {
    /** explain: only after a failure, to say what is wrong. */
    version: [...compose, 'version'],
    events: [...p, 'events', '--json'],
    up: (...extra: string[]) => [...p, 'up', '--detach', '--remove-orphans', ...extra],
    follow: [...p, 'logs', '--follow', '--timestamps'],
    /** The log stream followed again from where it got to. */
    followSince: (time: string) => [...p, 'logs', '--follow', '--timestamps', '--since', time],
    /** The teardown's `down`: by the project's label, no `-f`. */
    down,
    kill,
    forcedDown,
    /** The engine's listings of the project's containers and networks (run together). */
    containers,
    networks,
    survey,
    /** `volume rm` of anonymous volumes. */
    volumeRm: (...volumes: string[]) => [...engine, 'volume', 'rm', '--force', ...volumes],
    /** What a teardown runs when the project has no anonymous volume: list, `down`, list again. */
    teardown: (grace?: number): Step[] => [survey, down(grace), survey],
    /** The forced teardown: `kill`, then the teardown with `--timeout 0`. */
    forcedTeardown: [kill, survey, forcedDown, survey] as Step[],
    /** The containers' states, by the project's label (no `-f`). */
    ps: [...byLabel, 'ps', '--all', '--format', 'json'],
    tail: (...services: string[]) => [...p, 'logs', '--tail', '50', ...services],
    /** A service's last health checks, through the engine (docker's own `inspect`). */
    inspect: (container: string) => ['inspect', '--format', '{{json .State.Health}}', container],
  };
}

/**
 * The calls of `calls` checked against `expected`, a list of steps: a step is one argv, or a
 * set of argvs that stagecraft starts together (their fakes log in whichever order they boot),
 * compared as a sorted list. Returns `calls` regrouped the same way, for `toEqual(expected)`.
 */
export function inSteps(calls: readonly (readonly string[])[], expected: readonly Step[]): Step[] {
  const out: Step[] = [];
  let i = 0;
  for (const step of expected) {
    if (isGroup(step)) {
      const taken = calls.slice(i, i + step.group.length);
      i += taken.length;
      out.push({ group: sortArgvs(taken) });
    } else {
      const call = calls[i];
      i += 1;
      if (call !== undefined) out.push(call);
    }
  }
  out.push(...calls.slice(i));
  return out;
}

/** A set of calls started together, in no particular order. */
export interface Group {
  readonly group: readonly (readonly string[])[];
}

export type Step = readonly string[] | Group;

function isGroup(step: Step): step is Group {
  return !Array.isArray(step);
}

/** Calls started together, in a fixed (sorted) order. */
export function together(...argvs: (readonly string[])[]): Group {
  return { group: sortArgvs(argvs) };
}

function sortArgvs(argvs: readonly (readonly string[])[]): (readonly string[])[] {
  return [...argvs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

import type { PlannedCommand } from '../../machines/dev-session.types.js';
import { classifyEnd, type ProcessEnd } from '../../src/compose/classify-failure.js';

const start: PlannedCommand = {
  phase: 'start',
  argv: ['docker', 'compose', '-p', 'shop', '-f', '.stagecraft/dev/compose.yaml', 'up', '--detach', '--remove-orphans'],
};

const end = (overrides: Partial<ProcessEnd>): ProcessEnd => ({
  spawnCode: undefined,
  exitCode: 0,
  signal: undefined,
  canceled: false,
  stderrTail: '',
  ...overrides,
});

describe('classifyEnd', () => {
  it('reads exit 0 as success', () => {
    expect(classifyEnd(start, end({ stderrTail: ' Container shop-api-1  Started' }))).toBeUndefined();
  });

  it.each(['ENOENT', 'EACCES'])('reads a spawn error (%s) as docker missing, naming the program', (spawnCode) => {
    expect(classifyEnd(start, end({ spawnCode, exitCode: undefined, stderrTail: 'ignored' }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'docker-missing',
      command: start,
      exitCode: undefined,
      signal: undefined,
      stderrTail: `docker: ${spawnCode}`,
    });
  });

  // What compose 2.26 prints when it refuses the project (it exits 14 or 15), seen on a real engine.
  it.each([
    [15, 'validating /tmp/bad/a.yaml: services.web Additional property foo is not allowed'],
    [14, 'env file /tmp/bad/missing.env not found: stat /tmp/bad/missing.env: no such file or directory'],
    [15, 'error while interpolating services.web.image: required variable IMAGE is missing a value: set IMAGE'],
    [
      15,
      'time="2026-12-01T16:38:53Z" level=warning msg="The \\"IMAGE\\" variable is not set. Defaulting to a blank string."\nservice "web" has neither an image nor a build context specified: invalid compose project',
    ],
    [15, 'yaml: line 3: mapping values are not allowed in this context'],
  ])('reads compose refusing the project (exit %i: %s) as compose-rejected', (exitCode, stderrTail) => {
    expect(classifyEnd(start, end({ exitCode, stderrTail }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'compose-rejected',
      command: start,
      exitCode,
      signal: undefined,
      stderrTail,
    });
  });

  it('reads a canceled command as canceled, whatever its exit', () => {
    expect(classifyEnd(start, end({ canceled: true, exitCode: undefined, signal: 'SIGTERM', stderrTail: 'x' }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'canceled',
      command: start,
      exitCode: undefined,
      signal: 'SIGTERM',
      stderrTail: 'x',
    });
    expect(classifyEnd(start, end({ canceled: true, exitCode: 0 }))?.kind).toBe('canceled');
  });

  it.each([
    "docker: 'compose' is not a docker command.\nSee 'docker --help'",
    'unknown command: "compose"',
    'Unknown command: compose',
    "unknown shorthand flag: 'p' in -p",
  ])('reads %j as compose missing', (stderrTail) => {
    expect(classifyEnd(start, end({ exitCode: 1, stderrTail }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'compose-missing',
      command: start,
      exitCode: 1,
      signal: undefined,
      stderrTail,
    });
  });

  it.each([
    'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    'error during connect: Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.45/containers/json": open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.',
  ])('reads %j as the daemon being down', (stderrTail) => {
    expect(classifyEnd(start, end({ exitCode: 1, stderrTail }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'daemon-down',
      command: start,
      exitCode: 1,
      signal: undefined,
      stderrTail,
    });
  });

  it('reads any other non-zero exit as exit-non-zero', () => {
    const stderrTail = 'Error response from daemon: pull access denied for shop/api';
    expect(classifyEnd(start, end({ exitCode: 18, stderrTail }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'exit-non-zero',
      command: start,
      exitCode: 18,
      signal: undefined,
      stderrTail,
    });
  });

  it('reads death by a signal it did not send as exit-non-zero', () => {
    expect(classifyEnd(start, end({ exitCode: undefined, signal: 'SIGKILL' }))).toStrictEqual({
      type: 'compose-failure',
      kind: 'exit-non-zero',
      command: start,
      exitCode: undefined,
      signal: 'SIGKILL',
      stderrTail: '',
    });
  });
});

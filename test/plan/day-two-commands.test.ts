// The argv of `dev logs` and `dev exec` (SPEC §2), written out against SPEC §3's `C -p P -f F`.
import { buildPlan } from '../../src/plan/build-plan.js';
import { execCommand, logsCommand, unknownServicesFailure, type LogsRequest, type ProjectTarget } from '../../src/plan/day-two-commands.js';
import { composeService } from '../fixtures/compose-service.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const composeFile = '.stagecraft/dev/compose.yaml';
const plan = buildPlan(
  { devDir: '.stagecraft/dev', composeFile, name: 'shop', services: [composeService('api'), composeService('db')] },
  { ...defaultDevOptions, composeCommand: 'docker --context remote compose' },
);
const withFile: ProjectTarget = { plan, composeFile, services: ['api', 'db'] };
const byLabel: ProjectTarget = { plan, composeFile: undefined, services: undefined };
const p = ['docker', '--context', 'remote', 'compose', '-p', 'shop', '-f', composeFile];
const request: LogsRequest = { services: [], follow: false, tail: undefined, since: undefined };

describe('logsCommand', () => {
  test('every service, nothing else: `C -p P -f F logs`', () => {
    expect(logsCommand(withFile, request)).toEqual({ phase: 'logs', argv: [...p, 'logs'] });
  });

  test('follow, tail, since, then the services named, in their order', () => {
    const argv = logsCommand(withFile, { services: ['db', 'api'], follow: true, tail: '20', since: '10m' }).argv;
    expect(argv).toEqual([...p, 'logs', '--follow', '--tail', '20', '--since', '10m', 'db', 'api']);
  });

  test('without dev files, by the project alone (no -f)', () => {
    expect(logsCommand(byLabel, { ...request, services: ['api'] }).argv).toEqual(['docker', '--context', 'remote', 'compose', '-p', 'shop', 'logs', 'api']);
  });

  test.each(['0', '15', 'all'])('--tail %s is taken', (tail) => {
    expect(logsCommand(withFile, { ...request, tail }).argv.slice(-2)).toEqual(['--tail', tail]);
  });

  test.each(['-1', '1.5', 'ten', '', '07'])('--tail %j is an input error', (tail) => {
    expect(() => logsCommand(withFile, { ...request, tail })).toThrow(
      expect.objectContaining({ kind: 'input', message: `--tail takes a number of lines or \`all\` (got ${JSON.stringify(tail)})` }),
    );
  });

  test.each(['10m', '1h30m', '2.5s', '1700000000', '1700000000.5', '2026-12-01', '2026-12-01T15:24', '2026-12-01T15:24:10Z', '2026-12-01T15:24:10.375866389+02:00'])(
    '--since %s is taken',
    (since) => {
      expect(logsCommand(withFile, { ...request, since }).argv.slice(-2)).toEqual(['--since', since]);
    },
  );

  test.each(['yesterday', '10 m', '-5m', '2026-1-1', ''])('--since %j is an input error', (since) => {
    expect(() => logsCommand(withFile, { ...request, since })).toThrow(expect.objectContaining({ kind: 'input', message: expect.stringMatching(/^--since takes a duration/) }));
  });
});

describe('execCommand', () => {
  test('stdin a terminal: `C -p P -f F exec <svc> <cmd…>`, the command as given', () => {
    expect(execCommand(withFile, 'api', ['sh', '-c', 'exit 7'], true)).toEqual({ phase: 'exec', argv: [...p, 'exec', 'api', 'sh', '-c', 'exit 7'] });
  });

  test('stdin not a terminal: -T', () => {
    expect(execCommand(withFile, 'api', ['ls', '-la'], false).argv).toEqual([...p, 'exec', '-T', 'api', 'ls', '-la']);
  });

  test('without dev files, by the project alone (no -f)', () => {
    expect(execCommand(byLabel, 'db', ['true'], false).argv).toEqual(['docker', '--context', 'remote', 'compose', '-p', 'shop', 'exec', '-T', 'db', 'true']);
  });

  test('no command is an input error saying how to give one', () => {
    expect(() => execCommand(withFile, 'api', [], true)).toThrow(
      expect.objectContaining({ kind: 'input', message: 'name the command to run in api: stagecraft dev exec api -- <command…> (e.g. -- sh)' }),
    );
  });
});

describe('unknownServicesFailure', () => {
  test('none when every service named is known', () => {
    expect(unknownServicesFailure(['db', 'api'], ['api', 'db'], 'shop')).toBeUndefined();
  });

  test('names the unknown ones and lists the services, sorted', () => {
    expect(unknownServicesFailure(['api', 'nope', 'gone'], ['web', 'api'], 'shop')).toEqual({
      kind: 'input',
      message: 'no service "nope", "gone" in project shop; its services: api, web',
    });
  });

  test('a project without containers has none', () => {
    expect(unknownServicesFailure(['api'], [], 'shop')).toEqual({
      kind: 'input',
      message: 'no service "api" in project shop; it has none (no container exists; start it with `stagecraft dev`)',
    });
  });
});

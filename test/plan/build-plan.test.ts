import type { DevOptions, DevPlan, SessionMode } from '../../machines/dev-session.types.js';
import { parseComposeModel } from '../../src/dev-files/compose-model.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { formatPlan, planSections } from '../../src/plan/format-plan.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';

const composeFile = '.stagecraft/dev/compose.yaml';

const files: DevFiles = {
  devDir: '.stagecraft/dev',
  composeFile,
  name: 'compose-name',
  services: [
    { name: 'api', traefik: false, profiled: false, image: undefined },
    { name: 'db', traefik: false, profiled: false, image: 'postgres:16' },
    { name: 'traefik', traefik: true, profiled: false, image: 'traefik:v3' },
  ],
};

const defaults: DevOptions = defaultDevOptions;

function optionsWith(overrides: Partial<DevOptions>): DevOptions {
  return { ...defaults, ...overrides };
}

/** Files read from compose.yaml text, as readDevFiles would return them. */
function filesFrom(yaml: string): DevFiles {
  return { devDir: '.stagecraft/dev', composeFile, ...parseComposeModel(yaml, composeFile) };
}

/** What `fn` threw; fails the test when it threw nothing. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

const sectionTitles = {
  foreground: [
    'preflight',
    'start',
    'attach (foreground)',
    'stack ended by itself: read exit codes',
    'teardown (Ctrl+C, or the stack ended)',
    'forced teardown (second Ctrl+C)',
    'failure diagnostics (failed services appended at run time)',
    'rollback after a failed start',
  ],
  detach: ['preflight', 'start', 'failure diagnostics (failed services appended at run time)', 'rollback after a failed start'],
};

describe('buildPlan: the full flag matrix', () => {
  const cases: Array<{
    mode: SessionMode;
    noTraefik: boolean;
    wait: boolean;
    grace: number;
    nameFrom: 'flag' | 'compose';
  }> = [];
  for (const mode of ['foreground', 'detach'] as const)
    for (const noTraefik of [false, true])
      for (const wait of [false, true])
        for (const grace of [0, 10])
          for (const nameFrom of ['flag', 'compose'] as const) cases.push({ mode, noTraefik, wait, grace, nameFrom });

  it('has 32 cases', () => {
    expect(cases).toHaveLength(32);
  });

  it.each(cases)(
    'mode=$mode noTraefik=$noTraefik wait=$wait grace=$grace name from $nameFrom',
    ({ mode, noTraefik, wait, grace, nameFrom }) => {
      const options = optionsWith({
        mode,
        noTraefik,
        wait,
        graceSeconds: grace,
        projectName: nameFrom === 'flag' ? 'flag-name' : undefined,
      });
      const P = nameFrom === 'flag' ? 'flag-name' : 'compose-name';
      const project = ['docker', 'compose', '-p', P, '-f', composeFile];
      const waitArgs = wait ? ['--wait', '--wait-timeout', '120'] : [];
      const scaleArgs = noTraefik ? ['--scale', 'traefik=0'] : [];
      const teardown = [...project, 'down', '--remove-orphans', '--timeout', String(grace)];

      const plan = buildPlan(files, options);

      expect(plan).toStrictEqual({
        projectName: P,
        compose: ['docker', 'compose'],
        composeFile,
        preflight: { phase: 'preflight', argv: ['docker', 'compose', 'version'] },
        start: { phase: 'start', argv: [...project, 'up', '--detach', '--remove-orphans', ...waitArgs, ...scaleArgs] },
        attach: { phase: 'attach', argv: [...project, 'logs', '--follow'] },
        teardown: { phase: 'teardown', argv: teardown },
        forcedTeardown: [
          { phase: 'forcedTeardown', argv: [...project, 'kill'] },
          { phase: 'forcedTeardown', argv: [...project, 'down', '--remove-orphans', '--timeout', '0'] },
        ],
        exitCodes: { phase: 'exitCodes', argv: [...project, 'ps', '--all', '--format', 'json'] },
        diagnostics: { phase: 'diagnostics', argv: [...project, 'logs', '--tail', '50'] },
        scaledToZero: noTraefik ? ['traefik'] : [],
        expectedServices: noTraefik ? ['api', 'db'] : ['api', 'db', 'traefik'],
        serviceImages: noTraefik ? { db: 'postgres:16' } : { db: 'postgres:16', traefik: 'traefik:v3' },
      } satisfies DevPlan);

      // Which commands a session in this mode may run, in order.
      const sections = planSections(plan, mode, false);
      expect(sections.map((s) => s.title)).toStrictEqual(sectionTitles[mode]);
      const argvs = sections.map((s) => s.commands.map((c) => c.argv));
      const failure = [plan.exitCodes.argv, plan.diagnostics.argv];
      expect(argvs).toStrictEqual(
        mode === 'foreground'
          ? [
              [plan.preflight.argv],
              [plan.start.argv],
              [plan.attach.argv],
              [plan.exitCodes.argv],
              [teardown],
              [plan.forcedTeardown[0].argv, plan.forcedTeardown[1].argv],
              failure,
              [teardown],
            ]
          : [[plan.preflight.argv], [plan.start.argv], failure, [teardown]],
      );
    },
  );
});

describe('buildPlan: options outside the matrix', () => {
  it('passes --wait-timeout through as given', () => {
    const plan = buildPlan(files, optionsWith({ wait: true, waitTimeoutSeconds: 1 }));
    expect(plan.start.argv).toStrictEqual([
      'docker', 'compose', '-p', 'compose-name', '-f', composeFile,
      'up', '--detach', '--remove-orphans', '--wait', '--wait-timeout', '1',
    ]);
  });

  it('ignores --wait-timeout without --wait', () => {
    const plan = buildPlan(files, optionsWith({ wait: false, waitTimeoutSeconds: 300 }));
    expect(plan.start.argv).toStrictEqual([
      'docker', 'compose', '-p', 'compose-name', '-f', composeFile, 'up', '--detach', '--remove-orphans',
    ]);
  });

  it('uses the compose file of another dev dir as given', () => {
    const plan = buildPlan({ ...files, devDir: 'deploy/dev', composeFile: 'deploy/dev/compose.yaml' }, defaults);
    expect(plan.attach.argv).toStrictEqual([
      'docker', 'compose', '-p', 'compose-name', '-f', 'deploy/dev/compose.yaml', 'logs', '--follow',
    ]);
  });

  it('leaves profiled services out of the expected services and their images', () => {
    const plan = buildPlan(
      { ...files, services: [...files.services, { name: 'debug', traefik: false, profiled: true, image: 'busybox' }] },
      defaults,
    );
    expect(plan.expectedServices).toStrictEqual(['api', 'db', 'traefik']);
    expect(plan.serviceImages).toStrictEqual({ db: 'postgres:16', traefik: 'traefik:v3' });
  });
});

describe('buildPlan: Traefik services', () => {
  const startWith = (yaml: string): readonly string[] =>
    buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true })).start.argv;
  const up = ['docker', 'compose', '-p', 'shop', '-f', composeFile, 'up', '--detach', '--remove-orphans'];

  it('finds one by name', () => {
    const yaml = 'name: shop\nservices:\n  api: {image: api}\n  traefik: {image: traefik}\n';
    expect(startWith(yaml)).toStrictEqual([...up, '--scale', 'traefik=0']);
  });

  it('finds one by label, mapping form', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  api: {image: api}',
      '  proxy:',
      '    image: traefik',
      '    labels:',
      '      dev.stagecraft.role: traefik',
      '',
    ].join('\n');
    expect(startWith(yaml)).toStrictEqual([...up, '--scale', 'proxy=0']);
  });

  it('finds one by label, list form', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  api: {image: api}',
      '  edge:',
      '    image: traefik',
      '    labels:',
      '      - other.label=x',
      '      - dev.stagecraft.role=traefik',
      '',
    ].join('\n');
    expect(startWith(yaml)).toStrictEqual([...up, '--scale', 'edge=0']);
  });

  it('finds one named traefik that is also labelled, once', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  traefik:',
      '    image: traefik',
      '    labels: [dev.stagecraft.role=traefik]',
      '  api: {image: api}',
      '',
    ].join('\n');
    expect(startWith(yaml)).toStrictEqual([...up, '--scale', 'traefik=0']);
  });

  it('scales several, sorted by name, whatever their order in the file', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  traefik: {image: traefik}',
      '  proxy:',
      '    labels: {dev.stagecraft.role: traefik}',
      '  api: {image: api}',
      '  edge:',
      '    labels: [dev.stagecraft.role=traefik]',
      '',
    ].join('\n');
    expect(startWith(yaml)).toStrictEqual([
      ...up, '--scale', 'edge=0', '--scale', 'proxy=0', '--scale', 'traefik=0',
    ]);
  });

  it('adds nothing when there is none (another role label is not Traefik)', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  api: {image: api}',
      '  db:',
      '    labels: [dev.stagecraft.role=database]',
      '  web:',
      '    labels: {dev.stagecraft.role: web}',
      '',
    ].join('\n');
    const plan = buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true }));
    expect(plan.start.argv).toStrictEqual(up);
    expect(plan.scaledToZero).toStrictEqual([]);
    expect(plan.expectedServices).toStrictEqual(['api', 'db', 'web']);
  });

  it('does not scale Traefik without --no-traefik', () => {
    const yaml = 'name: shop\nservices:\n  traefik: {image: traefik}\n';
    expect(buildPlan(filesFrom(yaml), defaults).start.argv).toStrictEqual(up);
  });
});

describe('buildPlan: --compose-command', () => {
  it.each([
    ['docker-compose', ['docker-compose'], 'docker-compose'],
    ['podman compose', ['podman', 'compose'], 'podman compose'],
    ['docker --context remote compose', ['docker', '--context', 'remote', 'compose'], 'docker --context remote compose'],
    ['  docker   compose  ', ['docker', 'compose'], 'docker compose'],
    ['docker --context "my box" compose', ['docker', '--context', 'my box', 'compose'], "docker --context 'my box' compose"],
    ["'/opt/my tools/compose'", ['/opt/my tools/compose'], "'/opt/my tools/compose'"],
  ])('%j runs as %j', (composeCommand, compose, printed) => {
    const plan = buildPlan(files, optionsWith({ composeCommand }));
    expect(plan.compose).toStrictEqual(compose);
    expect(plan.preflight.argv).toStrictEqual([...compose, 'version']);
    expect(plan.teardown.argv).toStrictEqual([
      ...compose, '-p', 'compose-name', '-f', composeFile, 'down', '--remove-orphans', '--timeout', '10',
    ]);
    const lines = formatPlan(plan, 'detach', true).split('\n');
    expect(lines.slice(0, 2)).toStrictEqual(['# preflight', `${printed} version`]);
  });
});

describe('buildPlan: project name errors', () => {
  const invalid = (name: string, source: string) => ({
    kind: 'input',
    message: `project name ${JSON.stringify(name)} (from ${source}) is invalid: compose needs lower-case letters, digits, '_' and '-', starting with a letter or digit`,
  });

  it('fails without a name anywhere', () => {
    expect(thrownBy(() => buildPlan({ ...files, name: undefined }, defaults))).toStrictEqual({
      kind: 'input',
      message:
        'no project name: .stagecraft/dev/compose.yaml has no top-level `name` and --project-name was not given; add `name:` to compose.yaml or pass --project-name',
    });
  });

  it.each(['Shop', '-shop', '_shop', 'my shop', '', 'shop.dev', 'shöp'])(
    'rejects %j from --project-name',
    (name) => {
      expect(thrownBy(() => buildPlan(files, optionsWith({ projectName: name })))).toStrictEqual(
        invalid(name, '--project-name'),
      );
    },
  );

  it.each(['Shop', '-shop', 'my shop', ''])('rejects %j from compose.yaml', (name) => {
    expect(thrownBy(() => buildPlan({ ...files, name }, defaults))).toStrictEqual(
      invalid(name, '`name` in .stagecraft/dev/compose.yaml'),
    );
  });

  it.each(['shop', '1shop', 'a', 'my_shop-2'])('accepts %j', (name) => {
    expect(buildPlan(files, optionsWith({ projectName: name })).projectName).toBe(name);
  });

  it('lets --project-name win over an invalid compose name', () => {
    const plan = buildPlan({ ...files, name: 'Not Valid' }, optionsWith({ projectName: 'shop' }));
    expect(plan.projectName).toBe('shop');
    expect(plan.attach.argv).toStrictEqual(['docker', 'compose', '-p', 'shop', '-f', composeFile, 'logs', '--follow']);
  });
});

describe('buildPlan: flag errors', () => {
  const seconds = (flag: string, min: number, got: string) => ({
    kind: 'input',
    message: `${flag} must be a whole number of seconds, ${min} or more (got ${got}); fix the flag or its STAGECRAFT_* variable`,
  });

  it.each([
    [-1, '-1'],
    [Number.NaN, 'something that is not a number'],
    [1.5, '1.5'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('rejects --grace %p', (graceSeconds, got) => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ graceSeconds })))).toStrictEqual(seconds('--grace', 0, got));
  });

  it.each([
    [0, '0'],
    [-5, '-5'],
    [Number.NaN, 'something that is not a number'],
  ])('rejects --wait-timeout %p', (waitTimeoutSeconds, got) => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ waitTimeoutSeconds })))).toStrictEqual(
      seconds('--wait-timeout', 1, got),
    );
  });

  it('checks --wait-timeout even without --wait', () => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ wait: false, waitTimeoutSeconds: 0 })))).toStrictEqual(
      seconds('--wait-timeout', 1, '0'),
    );
  });

  it.each(['', '   ', '\t\n'])('rejects the empty compose command %j', (composeCommand) => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ composeCommand })))).toStrictEqual({
      kind: 'input',
      message: '--compose-command is empty; pass the compose invocation, e.g. --compose-command "docker compose"',
    });
  });

  it('rejects a compose command ending in a backslash that escapes nothing', () => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ composeCommand: 'docker\\' })))).toStrictEqual({
      kind: 'input',
      message: '--compose-command "docker\\\\" has a trailing \\ that escapes nothing; fix the quoting',
    });
  });

  it('rejects a compose command with an unterminated quote', () => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ composeCommand: 'docker "compose' })))).toStrictEqual({
      kind: 'input',
      message: '--compose-command "docker \\"compose" has an unterminated " quote; fix the quoting',
    });
  });

  it('checks the flags before the project name', () => {
    expect(thrownBy(() => buildPlan({ ...files, name: undefined }, optionsWith({ graceSeconds: -1 })))).toStrictEqual(
      seconds('--grace', 0, '-1'),
    );
  });
});

describe('buildPlan: determinism', () => {
  const yamlA = 'name: shop\nservices:\n  web: {image: web}\n  traefik: {image: traefik}\n  api: {image: api}\n';
  const yamlB = 'services:\n  api: {image: api}\n  traefik: {image: traefik}\n  web: {image: web}\nname: shop\n';
  const options = optionsWith({ noTraefik: true, wait: true });

  it('same inputs give a deep-equal plan and byte-identical text', () => {
    const first = buildPlan(filesFrom(yamlA), options);
    const second = buildPlan(filesFrom(yamlA), { ...options });
    expect(second).toStrictEqual(first);
    expect(formatPlan(second, 'foreground', false)).toBe(formatPlan(first, 'foreground', false));
  });

  it('the order of keys in compose.yaml does not change the plan', () => {
    const a = buildPlan(filesFrom(yamlA), options);
    const b = buildPlan(filesFrom(yamlB), options);
    expect(b).toStrictEqual(a);
    expect(formatPlan(b, 'detach', false)).toBe(formatPlan(a, 'detach', false));
  });

  it('holds no absolute path and nothing from the working directory', () => {
    const text = formatPlan(buildPlan(filesFrom(yamlA), options), 'foreground', false);
    expect(text.includes(process.cwd())).toBe(false);
    expect(text.split('\n').filter((line) => / \//.test(line))).toStrictEqual([]);
  });
});

describe('formatPlan', () => {
  it('prints a foreground plan, one shell-quoted command per line, grouped by phase', () => {
    const plan = buildPlan({ ...files, name: 'shop' }, defaults);
    expect(formatPlan(plan, 'foreground', false)).toBe(
      [
        '# preflight',
        'docker compose version',
        '# start',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml up --detach --remove-orphans',
        '# attach (foreground)',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml logs --follow',
        '# stack ended by itself: read exit codes',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml ps --all --format json',
        '# teardown (Ctrl+C, or the stack ended)',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml down --remove-orphans --timeout 10',
        '# forced teardown (second Ctrl+C)',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml kill',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml down --remove-orphans --timeout 0',
        '# failure diagnostics (failed services appended at run time)',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml ps --all --format json',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml logs --tail 50',
        '# rollback after a failed start',
        'docker compose -p shop -f .stagecraft/dev/compose.yaml down --remove-orphans --timeout 10',
        '',
      ].join('\n'),
    );
  });

  it('prints a detach plan; --keep-on-failure drops the rollback', () => {
    const plan = buildPlan(
      { ...files, name: 'shop' },
      optionsWith({
        mode: 'detach',
        wait: true,
        waitTimeoutSeconds: 60,
        noTraefik: true,
        graceSeconds: 3,
        keepOnFailure: true,
        composeCommand: 'docker --context "my box" compose',
      }),
    );
    expect(formatPlan(plan, 'detach', true)).toBe(
      [
        '# preflight',
        "docker --context 'my box' compose version",
        '# start',
        "docker --context 'my box' compose -p shop -f .stagecraft/dev/compose.yaml up --detach --remove-orphans --wait --wait-timeout 60 --scale traefik=0",
        '# failure diagnostics (failed services appended at run time)',
        "docker --context 'my box' compose -p shop -f .stagecraft/dev/compose.yaml ps --all --format json",
        "docker --context 'my box' compose -p shop -f .stagecraft/dev/compose.yaml logs --tail 50",
        '',
      ].join('\n'),
    );
  });
});

import type { DevOptions, DevPlan, SessionMode, TeardownPlan } from '../../machines/dev-session.types.js';
import { parseComposeModel } from '../../src/dev-files/compose-model.js';
import type { DevFiles } from '../../src/dev-files/read-dev-files.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { formatPlan, planSections } from '../../src/plan/format-plan.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { composeService } from '../fixtures/compose-service.js';
import { containersArgv, downArgv, killArgv, networksArgv, removeVolumesArgv, type TeardownShape } from '../fixtures/teardown-commands.js';

const composeFile = '.stagecraft/dev/compose.yaml';

type Service = DevFiles['services'][number];

const service = composeService;

const files: DevFiles = {
  devDir: '.stagecraft/dev',
  composeFile,
  name: 'compose-name',
  services: [
    service('api', { healthcheck: true, restart: { kind: 'on-failure', maxRetries: 2 } }),
    service('db', { image: 'postgres:16', healthcheck: true, restart: { kind: 'always' } }),
    service('traefik', { traefik: true, image: 'traefik:v3', restart: { kind: 'unless-stopped' } }),
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

/** The teardown of project `P` as the plan holds it: its listings, its file-less `down`, its `volume rm` (volumes appended at run time). */
function teardownPlan(P: string, phase: 'teardown' | 'forcedTeardown', shape: TeardownShape = {}): TeardownPlan {
  const engine = shape.engine ?? ['docker'];
  return {
    containers: { phase, argv: containersArgv(P, engine) },
    networks: { phase, argv: networksArgv(P, engine) },
    down: { phase, argv: downArgv(P, shape) },
    removeVolumes: { phase, argv: removeVolumesArgv(engine) },
  };
}

/** A teardown plan's commands' argvs, in the order they run. */
const teardownArgvsOf = (teardown: TeardownPlan): readonly string[][] =>
  [teardown.containers, teardown.networks, teardown.down, teardown.removeVolumes].map((c) => [...c.argv]);

const diagnosticsTitle = 'failure diagnostics (failed services, then their containers, appended at run time)';
/** A teardown's `volume rm` is printed without the anonymous volumes: its section's title says so. */
const volumes = 'volume rm: the anonymous volumes found, appended at run time; not run when none';
const teardownTitle = `teardown (Ctrl+C, or the stack ended; ${volumes})`;
const forcedTitle = `forced teardown (second Ctrl+C; ${volumes})`;
const rollbackTitle = `rollback after a failed start (${volumes})`;
const sectionTitles = {
  foreground: [
    'events (followed from before start)',
    'start',
    'container states, once after start (for what the events missed)',
    'attach (foreground; re-attached with --since <last line time> when compose ends it early)',
    teardownTitle,
    forcedTitle,
    diagnosticsTitle,
    rollbackTitle,
  ],
  detachWait: [
    'events (followed from before start until ready)',
    'start',
    'container states, once after start (for what the events missed)',
    diagnosticsTitle,
    rollbackTitle,
  ],
  detach: ['start', diagnosticsTitle, rollbackTitle],
};

describe('buildPlan: the full flag matrix', () => {
  const cases: Array<{
    mode: SessionMode;
    noTraefik: boolean;
    wait: boolean;
    grace: number | undefined;
    nameFrom: 'flag' | 'compose';
  }> = [];
  for (const mode of ['foreground', 'detach'] as const)
    for (const noTraefik of [false, true])
      for (const wait of [false, true])
        for (const grace of [undefined, 0, 10])
          for (const nameFrom of ['flag', 'compose'] as const) cases.push({ mode, noTraefik, wait, grace, nameFrom });

  it('has 48 cases', () => {
    expect(cases).toHaveLength(48);
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
      // --no-traefik names every other service; else no service list.
      const selected = noTraefik ? ['api', 'db'] : [];
      // Unset --grace: no --timeout, each service's stop_grace_period holds. No -f: the teardown goes by the project's label.
      const teardown = teardownPlan(P, 'teardown', grace === undefined ? {} : { graceSeconds: grace });
      const forced = teardownPlan(P, 'forcedTeardown', { graceSeconds: 0 });
      const api = { name: 'api', healthcheck: true, restart: { kind: 'on-failure', maxRetries: 2 }, profiled: false } as const;
      const db = { name: 'db', healthcheck: true, restart: { kind: 'always' }, profiled: false } as const;
      const traefik = { name: 'traefik', healthcheck: false, restart: { kind: 'unless-stopped' }, profiled: false } as const;

      const plan = buildPlan(files, options);

      // Readiness is stagecraft's: no `--wait` reaches compose, whatever the flags.
      expect(plan).toStrictEqual({
        projectName: P,
        compose: ['docker', 'compose'],
        composeFile,
        events: { phase: 'events', argv: [...project, 'events', '--json'] },
        start: { phase: 'start', argv: [...project, 'up', '--detach', '--remove-orphans', ...selected] },
        attach: { phase: 'attach', argv: [...project, 'logs', '--follow', '--timestamps'] },
        // Absent when unset, so the plan reads back from session.json as it was.
        ...(grace === undefined ? {} : { graceSeconds: grace }),
        stopGraceSeconds: 10,
        teardown,
        forcedTeardown: { kill: { phase: 'forcedTeardown', argv: ['docker', 'compose', '-p', P, 'kill'] }, teardown: forced },
        // By the project's label, as the teardown: no -f.
        exitCodes: { phase: 'exitCodes', argv: ['docker', 'compose', '-p', P, 'ps', '--all', '--format', 'json'] },
        diagnostics: { phase: 'diagnostics', argv: [...project, 'logs', '--tail', '50'] },
        health: { phase: 'health', argv: ['docker', 'inspect', '--format', '{{json .State.Health}}'] },
        explain: { phase: 'explain', argv: ['docker', 'compose', 'version'] },
        services: noTraefik ? [api, db] : [api, db, traefik],
        leftOut: noTraefik ? ['traefik'] : [],
        expectedServices: noTraefik ? ['api', 'db'] : ['api', 'db', 'traefik'],
        scaledToZero: [],
        serviceImages: noTraefik ? { db: 'postgres:16' } : { db: 'postgres:16', traefik: 'traefik:v3' },
      } satisfies DevPlan);

      // Which commands a session in this mode may run, in order.
      const sections = planSections(plan, mode, false, wait);
      const titles = mode === 'foreground' ? sectionTitles.foreground : wait ? sectionTitles.detachWait : sectionTitles.detach;
      expect(sections.map((s) => s.title)).toStrictEqual(titles);
      const argvs = sections.map((s) => s.commands.map((c) => c.argv));
      const failure = [plan.diagnostics.argv, plan.health.argv];
      expect(argvs).toStrictEqual(
        mode === 'foreground'
          ? [
              [plan.events.argv],
              [plan.start.argv],
              [plan.exitCodes.argv],
              [plan.attach.argv],
              teardownArgvsOf(teardown),
              [killArgv(P), ...teardownArgvsOf(forced)],
              failure,
              teardownArgvsOf(teardown),
            ]
          : wait
            ? [[plan.events.argv], [plan.start.argv], [plan.exitCodes.argv], failure, teardownArgvsOf(teardown)]
            : [[plan.start.argv], failure, teardownArgvsOf(teardown)],
      );
      // --keep-on-failure drops the rollback, and only it.
      expect(planSections(plan, mode, true, wait).map((s) => s.title)).toStrictEqual(titles.slice(0, -1));
    },
  );
});

describe('buildPlan: options outside the matrix', () => {
  it('gives compose no --wait and no --wait-timeout: readiness is the session machine\'s', () => {
    const plan = buildPlan(files, optionsWith({ wait: true, waitTimeoutSeconds: 1 }));
    expect(plan.start.argv).toStrictEqual([
      'docker', 'compose', '-p', 'compose-name', '-f', composeFile, 'up', '--detach', '--remove-orphans',
    ]);
    const every = [
      plan.events, plan.start, plan.attach, ...Object.values(plan.teardown), plan.forcedTeardown.kill,
      ...Object.values(plan.forcedTeardown.teardown), plan.exitCodes, plan.diagnostics, plan.health, plan.explain,
    ];
    expect(every.flatMap((c) => c.argv).filter((arg) => arg.startsWith('--wait'))).toStrictEqual([]);
  });

  it('uses the compose file of another dev dir as given', () => {
    const plan = buildPlan({ ...files, devDir: 'deploy/dev', composeFile: 'deploy/dev/compose.yaml' }, defaults);
    expect(plan.attach.argv).toStrictEqual([
      'docker', 'compose', '-p', 'compose-name', '-f', 'deploy/dev/compose.yaml', 'logs', '--follow', '--timestamps',
    ]);
    expect(plan.events.argv).toStrictEqual([
      'docker', 'compose', '-p', 'compose-name', '-f', 'deploy/dev/compose.yaml', 'events', '--json',
    ]);
  });

  it('keeps profiled services among the services, marked, but out of the expected services and their images', () => {
    const plan = buildPlan(
      { ...files, services: [...files.services, service('debug', { profiled: true, image: 'busybox' })] },
      defaults,
    );
    expect(plan.services.map((s) => [s.name, s.profiled])).toStrictEqual([
      ['api', false],
      ['db', false],
      ['traefik', false],
      ['debug', true],
    ]);
    expect(plan.expectedServices).toStrictEqual(['api', 'db', 'traefik']);
    expect(plan.serviceImages).toStrictEqual({ db: 'postgres:16', traefik: 'traefik:v3' });
  });

  it('leaves a service with no replicas out of the services, the expected services and their images', () => {
    const plan = buildPlan(
      { ...files, services: [...files.services, service('standby', { noReplicas: true, image: 'shop/standby' })] },
      defaults,
    );
    expect(plan.services.map((s) => s.name)).toStrictEqual(['api', 'db', 'traefik']);
    expect(plan.expectedServices).toStrictEqual(['api', 'db', 'traefik']);
    expect(plan.scaledToZero).toStrictEqual(['standby']);
    expect(plan.serviceImages).toStrictEqual({ db: 'postgres:16', traefik: 'traefik:v3' });
    expect(plan.start.argv).not.toContain('standby=0');
  });

  it('reads each service spec from compose.yaml: healthcheck, restart policy, profile', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  web:',
      '    image: nginx',
      '    restart: unless-stopped',
      '    healthcheck: {test: [CMD, curl, -f, localhost]}',
      '  migrate:',
      '    image: shop/migrate',
      '  worker:',
      '    image: shop/worker',
      '    deploy: {restart_policy: {condition: on-failure, max_attempts: 3}}',
      '  debug:',
      '    image: busybox',
      '    profiles: [debug]',
      '  spare:',
      '    image: busybox',
      '    deploy: {replicas: 0}',
      '',
    ].join('\n');
    expect(buildPlan(filesFrom(yaml), defaults).services).toStrictEqual([
      { name: 'debug', healthcheck: false, restart: { kind: 'no' }, profiled: true },
      { name: 'migrate', healthcheck: false, restart: { kind: 'no' }, profiled: false },
      { name: 'web', healthcheck: true, restart: { kind: 'unless-stopped' }, profiled: false },
      { name: 'worker', healthcheck: false, restart: { kind: 'on-failure', maxRetries: 3 }, profiled: false },
    ]);
  });
});

describe('buildPlan: stop grace', () => {
  const yaml = (...bodies: string[]) =>
    ['name: shop', 'services:', ...bodies.flatMap((body, i) => [`  s${i}:`, '    image: busybox', ...(body === '' ? [] : [`    ${body}`])]), ''].join('\n');
  const down = ['docker', 'compose', '-p', 'shop', 'down', '--remove-orphans'];

  it("--grace unset: no --timeout; the longest service's stop_grace_period bounds the plan", () => {
    const plan = buildPlan(filesFrom(yaml('stop_grace_period: 15s', 'stop_grace_period: 1m', '')), defaults);
    expect(plan.teardown.down.argv).toStrictEqual(down);
    expect(plan.graceSeconds).toBeUndefined();
    expect(plan.stopGraceSeconds).toBe(60);
  });

  it("a service without stop_grace_period counts as compose's 10 s", () => {
    expect(buildPlan(filesFrom(yaml('stop_grace_period: 2s', '')), defaults).stopGraceSeconds).toBe(10);
    expect(buildPlan(filesFrom(yaml('stop_grace_period: 2s')), defaults).stopGraceSeconds).toBe(2);
  });

  it('--grace N: --timeout N for every service, the forced teardown still 0', () => {
    const plan = buildPlan(filesFrom(yaml('stop_grace_period: 15s')), optionsWith({ graceSeconds: 7 }));
    expect(plan.teardown.down.argv).toStrictEqual([...down, '--timeout', '7']);
    expect(plan.forcedTeardown.teardown.down.argv).toStrictEqual([...down, '--timeout', '0']);
    expect(plan.graceSeconds).toBe(7);
  });
});

describe('buildPlan: Traefik services', () => {
  const startWith = (yaml: string): readonly string[] =>
    buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true })).start.argv;
  const up = ['docker', 'compose', '-p', 'shop', '-f', composeFile, 'up', '--detach', '--remove-orphans'];

  it('finds one by name', () => {
    const yaml = 'name: shop\nservices:\n  api: {image: api}\n  traefik: {image: traefik}\n';
    expect(startWith(yaml)).toStrictEqual([...up, 'api']);
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
    expect(startWith(yaml)).toStrictEqual([...up, 'api']);
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
    expect(startWith(yaml)).toStrictEqual([...up, 'api']);
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
    expect(startWith(yaml)).toStrictEqual([...up, 'api']);
  });

  it('leaves several out, naming the others sorted by name, whatever their order in the file', () => {
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
    const plan = buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true }));
    expect(plan.start.argv).toStrictEqual([...up, 'api']);
    expect(plan.leftOut).toStrictEqual(['edge', 'proxy', 'traefik']);
  });

  it('names neither a profiled service nor a Traefik one, with --no-traefik', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  worker: {image: w}',
      '  tools:',
      '    image: t',
      '    profiles: [debug]',
      '  edge:',
      '    image: traefik:v3',
      '    labels: [dev.stagecraft.role=traefik]',
      '  api: {image: api}',
      '',
    ].join('\n');
    const plan = buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true }));
    expect(plan.start.argv).toStrictEqual([...up, 'api', 'worker']);
    expect(plan.leftOut).toStrictEqual(['edge']);
    expect(plan.expectedServices).toStrictEqual(['api', 'worker']);
  });

  it('leaves nothing out when there is none (another role label is not Traefik); still names the services', () => {
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
    expect(plan.start.argv).toStrictEqual([...up, 'api', 'db', 'web']);
    expect(plan.leftOut).toStrictEqual([]);
    expect(plan.expectedServices).toStrictEqual(['api', 'db', 'web']);
  });

  it('names no service without --no-traefik', () => {
    const yaml = 'name: shop\nservices:\n  traefik: {image: traefik}\n';
    expect(buildPlan(filesFrom(yaml), defaults).start.argv).toStrictEqual(up);
  });

  it('refuses --no-traefik when it leaves no service to start (up naming none would start Traefik)', () => {
    const yaml = 'name: shop\nservices:\n  traefik: {image: traefik:v3}\n  tools:\n    image: t\n    profiles: [debug]\n';
    expect(thrownBy(() => buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true })))).toStrictEqual({
      kind: 'input',
      message: '--no-traefik leaves no service to start: every service of .stagecraft/dev/compose.yaml is Traefik or behind an inactive profile',
    });
    // With the profile active, `tools` is started, by name.
    expect(buildPlan(filesFrom(yaml), optionsWith({ noTraefik: true, profiles: ['debug'] })).start.argv).toStrictEqual([...up, 'tools']);
  });
});

describe('buildPlan: active profiles (COMPOSE_PROFILES)', () => {
  const yaml = [
    'name: shop',
    'services:',
    '  api: {image: api}',
    '  traefik: {image: traefik:v3}',
    '  debug:',
    '    image: busybox',
    '    profiles: [debug]',
    '  seed:',
    '    image: shop/seed',
    '    profiles: [seed, debug]',
    '  docs:',
    '    image: shop/docs',
    '    profiles: [docs]',
    '',
  ].join('\n');
  const up = ['docker', 'compose', '-p', 'shop', '-f', composeFile, 'up', '--detach', '--remove-orphans'];
  const planWith = (profiles: readonly string[], noTraefik = true) => buildPlan(filesFrom(yaml), optionsWith({ noTraefik, profiles }));

  it('none active: --no-traefik names only the services without a profile', () => {
    const plan = planWith([]);
    expect(plan.start.argv).toStrictEqual([...up, 'api']);
    expect(plan.expectedServices).toStrictEqual(['api']);
  });

  it('one active: --no-traefik names the services of that profile too, sorted; they are expected', () => {
    const plan = planWith(['debug']);
    expect(plan.start.argv).toStrictEqual([...up, 'api', 'debug', 'seed']);
    expect(plan.expectedServices).toStrictEqual(['api', 'debug', 'seed']);
    expect(plan.serviceImages).toStrictEqual({ api: 'api', debug: 'busybox', seed: 'shop/seed' });
    // `profiled` in the plan's specs: behind an inactive profile.
    expect(plan.services.map((s) => [s.name, s.profiled])).toStrictEqual([
      ['api', false],
      ['debug', false],
      ['docs', true],
      ['seed', false],
    ]);
  });

  it('several active; a profile no service has changes nothing', () => {
    expect(planWith(['seed', 'docs', 'nope']).start.argv).toStrictEqual([...up, 'api', 'docs', 'seed']);
  });

  it('`*` activates every profile, as compose reads it', () => {
    const plan = planWith(['*']);
    expect(plan.start.argv).toStrictEqual([...up, 'api', 'debug', 'docs', 'seed']);
    expect(plan.leftOut).toStrictEqual(['traefik']);
  });

  it('without --no-traefik, up names no service (compose reads COMPOSE_PROFILES itself) but the active ones are expected', () => {
    const plan = planWith(['docs'], false);
    expect(plan.start.argv).toStrictEqual(up);
    expect(plan.expectedServices).toStrictEqual(['api', 'docs', 'traefik']);
  });

  it('a profiled service scaled to 0 is neither expected nor scaled to 0 while its profile is inactive', () => {
    const scaled = `${yaml}  spare:\n    image: busybox\n    profiles: [spare]\n    deploy: {replicas: 0}\n`;
    expect(buildPlan(filesFrom(scaled), optionsWith({ profiles: [] })).scaledToZero).toStrictEqual([]);
    expect(buildPlan(filesFrom(scaled), optionsWith({ profiles: ['spare'] })).scaledToZero).toStrictEqual(['spare']);
  });
});

describe('buildPlan: --compose-command', () => {
  it.each([
    ['docker-compose', ['docker-compose'], 'docker-compose', ['docker']],
    ['podman compose', ['podman', 'compose'], 'podman compose', ['podman']],
    ['docker --context remote compose', ['docker', '--context', 'remote', 'compose'], 'docker --context remote compose', ['docker', '--context', 'remote']],
    ['  docker   compose  ', ['docker', 'compose'], 'docker compose', ['docker']],
    ['docker --context "my box" compose', ['docker', '--context', 'my box', 'compose'], "docker --context 'my box' compose", ['docker', '--context', 'my box']],
    ["'/opt/my tools/compose'", ['/opt/my tools/compose'], "'/opt/my tools/compose'", ['docker']],
  ])('%j runs as %j', (composeCommand, compose, printed, engine) => {
    const plan = buildPlan(files, optionsWith({ composeCommand }));
    expect(plan.compose).toStrictEqual(compose);
    expect(plan.explain).toStrictEqual({ phase: 'explain', argv: [...compose, 'version'] });
    expect(plan.events.argv).toStrictEqual([...compose, '-p', 'compose-name', '-f', composeFile, 'events', '--json']);
    // The teardown lists and removes through the same engine; its `down` reads no compose file.
    expect(plan.teardown).toStrictEqual(teardownPlan('compose-name', 'teardown', { compose, engine }));
    expect(plan.forcedTeardown).toStrictEqual({
      kill: { phase: 'forcedTeardown', argv: [...compose, '-p', 'compose-name', 'kill'] },
      teardown: teardownPlan('compose-name', 'forcedTeardown', { compose, engine, graceSeconds: 0 }),
    });
    // The health check is read from the engine the compose command talks to (its context too).
    expect(plan.health).toStrictEqual({ phase: 'health', argv: [...engine, 'inspect', '--format', '{{json .State.Health}}'] });
    const lines = formatPlan(plan, 'detach', true, false).split('\n');
    expect(lines.slice(0, 2)).toStrictEqual(['# start', `${printed} -p compose-name -f ${composeFile} up --detach --remove-orphans`]);
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
    expect(plan.attach.argv).toStrictEqual(['docker', 'compose', '-p', 'shop', '-f', composeFile, 'logs', '--follow', '--timestamps']);
  });
});

describe('buildPlan: flag errors', () => {
  const seconds = (flag: string, min: number, got: string) => ({
    kind: 'input',
    message: `${flag} must be a whole number of seconds from ${min} to 86400 (got ${got}); fix the flag or its STAGECRAFT_* variable`,
  });

  it.each([
    [-1, '-1'],
    [Number.NaN, 'something that is not a number'],
    [1.5, '1.5'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [86_401, '86401'],
    [2_147_483, '2147483'],
    [1e20, '100000000000000000000'],
  ])('rejects --grace %p', (graceSeconds, got) => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ graceSeconds })))).toStrictEqual(seconds('--grace', 0, got));
  });

  it.each([
    [0, '0'],
    [-5, '-5'],
    [Number.NaN, 'something that is not a number'],
    [86_401, '86401'],
  ])('rejects --wait-timeout %p', (waitTimeoutSeconds, got) => {
    expect(thrownBy(() => buildPlan(files, optionsWith({ waitTimeoutSeconds })))).toStrictEqual(
      seconds('--wait-timeout', 1, got),
    );
  });

  it('takes a day, the longest stop timeout or wait', () => {
    const plan = buildPlan(files, optionsWith({ graceSeconds: 86_400, waitTimeoutSeconds: 86_400 }));
    expect(plan.graceSeconds).toBe(86_400);
    expect(plan.teardown.down.argv.slice(-2)).toStrictEqual(['--timeout', '86400']);
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
    expect(formatPlan(second, 'foreground', false, true)).toBe(formatPlan(first, 'foreground', false, true));
  });

  it('the order of keys in compose.yaml does not change the plan', () => {
    const a = buildPlan(filesFrom(yamlA), options);
    const b = buildPlan(filesFrom(yamlB), options);
    expect(b).toStrictEqual(a);
    expect(formatPlan(b, 'detach', false, true)).toBe(formatPlan(a, 'detach', false, true));
  });

  it('holds no absolute path and nothing from the working directory', () => {
    const text = formatPlan(buildPlan(filesFrom(yamlA), options), 'foreground', false, false);
    expect(text.includes(process.cwd())).toBe(false);
    expect(text.split('\n').filter((line) => / \//.test(line))).toStrictEqual([]);
  });
});

describe('formatPlan', () => {
  const P = 'docker compose -p shop -f .stagecraft/dev/compose.yaml';
  const listings = [
    "docker ps --all --no-trunc --filter label=com.docker.compose.project=shop --format '{{.Names}}\\t{{.Mounts}}'",
    "docker network ls --filter label=com.docker.compose.project=shop --format '{{.Name}}'",
  ];
  /** The teardown's lines: listings, the file-less `down` (this tail), `volume rm`. */
  const teardownLines = (downTail: string): string[] => [...listings, `docker compose -p shop ${downTail}`, 'docker volume rm --force'];

  it('prints a foreground plan, one shell-quoted command per line, grouped by phase', () => {
    const plan = buildPlan({ ...files, name: 'shop' }, defaults);
    expect(formatPlan(plan, 'foreground', false, false)).toBe(
      [
        '# events (followed from before start)',
        `${P} events --json`,
        '# start',
        `${P} up --detach --remove-orphans`,
        '# container states, once after start (for what the events missed)',
        'docker compose -p shop ps --all --format json',
        '# attach (foreground; re-attached with --since <last line time> when compose ends it early)',
        `${P} logs --follow --timestamps`,
        `# ${teardownTitle}`,
        ...teardownLines('down --remove-orphans'),
        `# ${forcedTitle}`,
        'docker compose -p shop kill',
        ...teardownLines('down --remove-orphans --timeout 0'),
        `# ${diagnosticsTitle}`,
        `${P} logs --tail 50`,
        "docker inspect --format '{{json .State.Health}}'",
        `# ${rollbackTitle}`,
        ...teardownLines('down --remove-orphans'),
        '',
      ].join('\n'),
    );
  });

  it('a foreground --wait plan is the same: the events are followed anyway', () => {
    const plan = buildPlan({ ...files, name: 'shop' }, optionsWith({ wait: true }));
    expect(formatPlan(plan, 'foreground', false, true)).toBe(formatPlan(plan, 'foreground', false, false));
  });

  it('prints a detach --wait plan; --keep-on-failure drops the rollback', () => {
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
    const Q = "docker --context 'my box' compose -p shop -f .stagecraft/dev/compose.yaml";
    expect(formatPlan(plan, 'detach', true, true)).toBe(
      [
        '# events (followed from before start until ready)',
        `${Q} events --json`,
        '# start',
        `${Q} up --detach --remove-orphans api db`,
        '# container states, once after start (for what the events missed)',
        "docker --context 'my box' compose -p shop ps --all --format json",
        `# ${diagnosticsTitle}`,
        `${Q} logs --tail 50`,
        "docker --context 'my box' inspect --format '{{json .State.Health}}'",
        '',
      ].join('\n'),
    );
  });

  it('prints a detach plan without --wait: no events, no container states', () => {
    const plan = buildPlan({ ...files, name: 'shop' }, optionsWith({ mode: 'detach', graceSeconds: 0 }));
    expect(formatPlan(plan, 'detach', false, false)).toBe(
      [
        '# start',
        `${P} up --detach --remove-orphans`,
        `# ${diagnosticsTitle}`,
        `${P} logs --tail 50`,
        "docker inspect --format '{{json .State.Health}}'",
        `# ${rollbackTitle}`,
        ...teardownLines('down --remove-orphans --timeout 0'),
        '',
      ].join('\n'),
    );
  });
});

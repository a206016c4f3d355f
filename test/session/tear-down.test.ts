// The SPEC §3 teardown against the fake runner: what it lists, removes and lists again, in
// order (exact argv), what it resolves with, and how each failure reads.
import { exitCodeForFailure } from '../../machines/exit-code.js';
import type { Removal, SessionFailure } from '../../machines/dev-session.types.js';
import { forceTearDown, parseContainerList, parseNetworkList, tearDown } from '../../src/session/tear-down.js';
import { FakeComposeRunner } from '../fakes/fake-compose-runner.js';
import { defaultDevOptions } from '../fixtures/dev-options.js';
import { shopPlan } from '../fixtures/shop-session.js';
import {
  containersArgv,
  downArgv,
  forcedTeardownArgvs,
  isContainerList,
  isDown,
  isNetworkList,
  networksArgv,
  isKill,
  isVolumeRemoval,
  teardownArgvs,
  answerTeardown,
  type Listing,
} from '../fixtures/teardown-commands.js';

const plan = shopPlan();
const anonA = `${'a1'.repeat(31)}ff`;
const anonB = `0123456789ab${'c'.repeat(52)}`;
const none: Removal = { containers: [], networks: [], volumes: [] };
const retry = 'run `stagecraft dev down` to retry, or by hand: docker compose -p shop stop && docker ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r docker rm --force --volumes && docker compose -p shop down --remove-orphans';

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A runner whose listings answer `before` on their first call and `after` on the next ones; `kill`, `down` and `volume rm` succeed. */
const runnerListing = (before: Listing = {}, after: Listing = {}): FakeComposeRunner => answerTeardown(new FakeComposeRunner(), before, after);

describe('parseContainerList', () => {
  it('reads no container from empty output', () => {
    expect(parseContainerList('')).toStrictEqual({ containers: [], volumes: [] });
    expect(parseContainerList('\n')).toStrictEqual({ containers: [], volumes: [] });
  });

  it('keeps only the anonymous volumes (64 hex digits), once each: not a bind mount, a named or an external volume', () => {
    const stdout = [
      `shop-db-1\tshop_pgdata,${anonB}`,
      `shop-api-1\t/home/me/shop/src,${anonA},cache,${anonB}`,
      'shop-api-run-3f2a1b\t',
      'shop-web-1',
      '',
    ].join('\n');
    expect(parseContainerList(stdout)).toStrictEqual({
      containers: ['shop-api-1', 'shop-api-run-3f2a1b', 'shop-db-1', 'shop-web-1'],
      volumes: [anonB, anonA].sort(),
    });
  });

  it('takes neither 63 nor 65 hex digits, nor upper-case hex, for an anonymous volume', () => {
    const stdout = `shop-api-1\t${anonA.slice(1)},${anonA}0,${anonA.toUpperCase()}\n`;
    expect(parseContainerList(stdout)).toStrictEqual({ containers: ['shop-api-1'], volumes: [] });
  });
});

describe('parseNetworkList', () => {
  it('reads the names, sorted', () => {
    expect(parseNetworkList('shop_default\nshop_back\n')).toStrictEqual(['shop_back', 'shop_default']);
  });

  it('reads none from empty output', () => {
    expect(parseNetworkList('')).toStrictEqual([]);
    expect(parseNetworkList('\n\n')).toStrictEqual([]);
  });
});

describe('tearDown', () => {
  it('lists containers and networks side by side, and runs `down` only once both answered', async () => {
    const runner = new FakeComposeRunner().answer(isDown, {});
    const signal = new AbortController().signal;
    const done = tearDown(runner, plan.teardown, plan, signal);
    const containers = await runner.waitForRun(isContainerList);
    const networks = await runner.waitForRun(isNetworkList);
    expect(runner.argvs()).toStrictEqual([containersArgv('shop'), networksArgv('shop')]);
    containers.resolve('shop-api-1\t\n');
    await settle();
    expect(runner.argvs()).toHaveLength(2);
    networks.resolve('shop_default\n');
    // The second listing: nothing left.
    (await runner.waitForRun(isContainerList, 1)).resolve('');
    (await runner.waitForRun(isNetworkList, 1)).resolve('');
    expect(await done).toStrictEqual({ containers: ['shop-api-1'], networks: ['shop_default'], volumes: [] });
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop'));
    expect(runner.runs.map((run) => run.signal)).toStrictEqual(runner.runs.map(() => signal));
    expect(runner.runs.map((run) => run.command.phase)).toStrictEqual(runner.runs.map(() => 'teardown'));
  });

  it('removes the anonymous volumes found before `down` with `volume rm`, then resolves with what was there', async () => {
    const runner = runnerListing({
      containers: [`shop-api-1\t/src,${anonB}`, `shop-db-1\tshop_pgdata,${anonA}`],
      networks: ['shop_default'],
    });
    expect(await tearDown(runner, plan.teardown, plan, new AbortController().signal)).toStrictEqual({
      containers: ['shop-api-1', 'shop-db-1'],
      networks: ['shop_default'],
      volumes: [anonB, anonA].sort(),
    });
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop', { volumes: [anonB, anonA].sort() }));
  });

  it("forces `volume rm`: a one-off `run --rm` container's anonymous volume goes with it once `down` stopped it (the engine's auto-remove)", async () => {
    const runner = runnerListing({ containers: [`shop-api-run-3f2a1b\t${anonA}`] });
    await tearDown(runner, plan.teardown, plan, new AbortController().signal);
    expect(runner.argvs()[3]).toStrictEqual(['docker', 'volume', 'rm', '--force', anonA]);
  });

  it('runs no `volume rm` when no container had an anonymous volume', async () => {
    const runner = runnerListing({ containers: ['shop-db-1\tshop_pgdata'], networks: ['shop_default'] });
    expect(await tearDown(runner, plan.teardown, plan, new AbortController().signal)).toStrictEqual({
      containers: ['shop-db-1'],
      networks: ['shop_default'],
      volumes: [],
    });
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop'));
  });

  it('resolves with nothing removed when nothing of the project was there (compose `down` still runs)', async () => {
    const runner = runnerListing();
    expect(await tearDown(runner, plan.teardown, plan, new AbortController().signal)).toStrictEqual(none);
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop'));
  });

  it('passes the plan\'s grace to `down`', async () => {
    const graced = shopPlan({ ...defaultDevOptions, graceSeconds: 4 });
    const runner = runnerListing();
    await tearDown(runner, graced.teardown, graced, new AbortController().signal);
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop', { graceSeconds: 4 }));
  });

  it('something still listed after `down`: exit 2, naming what is left', async () => {
    const runner = runnerListing(
      { containers: ['shop-api-1\t'], networks: ['shop_default'] },
      { containers: ['shop-api-run-9c1d\t', 'shop-api-1\t'], networks: ['shop_default'] },
    );
    const failure = await tearDown(runner, plan.teardown, plan, new AbortController().signal).then(
      () => undefined,
      (error: unknown) => error as SessionFailure,
    );
    expect(failure).toStrictEqual({
      kind: 'command-failed',
      message:
        'teardown of project shop left containers shop-api-1, shop-api-run-9c1d and networks shop_default behind ' +
        '(`docker compose -p shop down --remove-orphans` succeeded, but the engine still lists them: created while it ran?); ' +
        'run `stagecraft dev down` to retry',
    });
    expect(exitCodeForFailure(failure as SessionFailure)).toBe(2);
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop'));
  });

  it('only a network left: names only it', async () => {
    const runner = runnerListing({ networks: ['shop_default'] }, { networks: ['shop_default'] });
    await expect(tearDown(runner, plan.teardown, plan, new AbortController().signal)).rejects.toStrictEqual({
      kind: 'command-failed',
      message:
        'teardown of project shop left networks shop_default behind ' +
        '(`docker compose -p shop down --remove-orphans` succeeded, but the engine still lists them: created while it ran?); ' +
        'run `stagecraft dev down` to retry',
    });
  });

  it('a failing `down`: the described failure, and nothing more runs', async () => {
    const runner = runnerListing({ containers: [`shop-api-1\t${anonA}`] }).answer(isDown, { fail: 'exit-non-zero', exitCode: 1 });
    await expect(tearDown(runner, plan.teardown, plan, new AbortController().signal)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`docker compose -p shop down --remove-orphans\` exited with code 1; ${retry}`,
    });
    expect(runner.argvs()).toStrictEqual([containersArgv('shop'), networksArgv('shop'), downArgv('shop')]);
  });

  it('a failing listing: the described failure, and no `down`', async () => {
    const runner = runnerListing().answer(isContainerList, { fail: 'daemon-down', exitCode: 1 });
    await expect(tearDown(runner, plan.teardown, plan, new AbortController().signal)).rejects.toStrictEqual({
      kind: 'engine-unreachable',
      message:
        'the container engine is not reachable (`docker ps --all --no-trunc --filter label=com.docker.compose.project=shop ' +
        "--format '{{.Names}}\\t{{.Mounts}}'` failed); start Docker, or point DOCKER_HOST or DOCKER_CONTEXT at a running engine",
    });
    // Both listings were asked for side by side; nothing after them.
    expect(runner.argvs()).toStrictEqual([containersArgv('shop'), networksArgv('shop')]);
  });

  it('a failing `volume rm`: the described failure, and no second listing', async () => {
    const runner = runnerListing({ containers: [`shop-api-1\t${anonA}`] }).answer(
      isVolumeRemoval,
      { fail: 'exit-non-zero', exitCode: 1, stderrTail: `Error response from daemon: remove ${anonA}: volume is in use` },
    );
    await expect(tearDown(runner, plan.teardown, plan, new AbortController().signal)).rejects.toStrictEqual({
      kind: 'command-failed',
      message:
        `teardown of project shop failed: \`docker volume rm --force ${anonA}\` exited with code 1; ${retry}\n` +
        `  Error response from daemon: remove ${anonA}: volume is in use`,
    });
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop', { volumes: [anonA] }).slice(0, 4));
  });

  it('cancelled during `down`: rejects canceled, described', async () => {
    const runner = runnerListing().answer(isDown);
    const controller = new AbortController();
    const done = tearDown(runner, plan.teardown, plan, controller.signal);
    await runner.waitForRun(isDown);
    controller.abort();
    await expect(done).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`docker compose -p shop down --remove-orphans\` was canceled; ${retry}`,
    });
    expect(runner.argvs()).toStrictEqual(teardownArgvs('shop').slice(0, 3));
  });
});

describe('forceTearDown', () => {
  it('`kill`, then the teardown with `down --timeout 0`, all in phase forcedTeardown', async () => {
    const runner = runnerListing({ containers: [`shop-api-1\t${anonA}`], networks: ['shop_default'] });
    expect(await forceTearDown(runner, plan, new AbortController().signal)).toStrictEqual({
      containers: ['shop-api-1'],
      networks: ['shop_default'],
      volumes: [anonA],
    });
    expect(runner.argvs()).toStrictEqual(forcedTeardownArgvs('shop', { volumes: [anonA] }));
    expect(runner.runs.map((run) => run.command.phase)).toStrictEqual(runner.runs.map(() => 'forcedTeardown'));
  });

  it('a failing `kill` (a container already gone) does not stop the rest', async () => {
    const runner = runnerListing().answer(isKill, { fail: 'exit-non-zero', exitCode: 1 });
    expect(await forceTearDown(runner, plan, new AbortController().signal)).toStrictEqual(none);
    expect(runner.argvs()).toStrictEqual(forcedTeardownArgvs('shop'));
  });

  it("a failing `down --timeout 0`: the described failure, its retry the graceful teardown's `down`", async () => {
    const runner = runnerListing().answer(isDown, { fail: 'exit-non-zero', exitCode: 1 });
    await expect(forceTearDown(runner, plan, new AbortController().signal)).rejects.toStrictEqual({
      kind: 'command-failed',
      message: `teardown of project shop failed: \`docker compose -p shop down --remove-orphans --timeout 0\` exited with code 1; ${retry}`,
    });
    expect(runner.argvs()).toStrictEqual(forcedTeardownArgvs('shop').slice(0, 4));
  });
});

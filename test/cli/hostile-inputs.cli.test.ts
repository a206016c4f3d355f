// Issue 14 item 7: inputs an adversary would try. Each is refused as an input error (exit 1)
// with one exact message, before any docker call: huge or overflowing seconds, an empty
// --dev-dir, a compose service name compose itself refuses, and a wrong STAGECRAFT_*
// variable, named as the variable (not as its flag).
import { CliRig } from './cli-harness.js';
import { expectRefused } from './expect-refused.js';

const timeout = 30_000;
const prefix = 'stagecraft dev: error:';
let rig: CliRig | undefined;

afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

function newRig(): CliRig {
  rig = new CliRig('minimal');
  return rig;
}

const seconds = (flag: string, min: number, got: string): string =>
  `${prefix} ${flag} must be a whole number of seconds from ${min} to 86400 (got ${got}); fix the flag or its STAGECRAFT_* variable\n`;

describe('seconds past a day, or past what a number holds', () => {
  test.each([
    // Past a timer's 2^31-1 ms once in milliseconds: it would fire at once.
    ['--grace 2147483', ['--grace', '2147483'], seconds('--grace', 0, '2147483')],
    ['--grace 86401', ['--grace', '86401'], seconds('--grace', 0, '86401')],
    // 99999999999999999999 is 1e20 to JavaScript: shown as the number it reads as.
    ['--grace 99999999999999999999', ['--grace', '99999999999999999999'], seconds('--grace', 0, '100000000000000000000')],
    ['--wait-timeout 99999999999999999999', ['--wait-timeout', '99999999999999999999'], seconds('--wait-timeout', 1, '100000000000000000000')],
    ['--wait-timeout=2147483648', ['--wait-timeout=2147483648'], seconds('--wait-timeout', 1, '2147483648')],
  ])(
    '%s: refused by dev, dev --detach, dev plan and dev down, before any docker call',
    async (_what, flag, expected) => {
      await expectRefused(newRig(), [flag, ['--detach', ...flag], ['plan', ...flag], ['down', ...flag]], expected);
    },
    timeout,
  );

  test(
    'a day is the longest, and is passed on as given',
    async () => {
      const r = newRig();
      const result = await r.run(['plan', '--grace', '86400']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('docker compose -p minimal down --remove-orphans --timeout 86400\n');
    },
    timeout,
  );
});

describe('an empty --dev-dir (it would mean the project root)', () => {
  test(
    'refused by every command that reads the dev dir, before any file is read or written',
    async () => {
      const commands = [[], ['--detach'], ['plan'], ['down'], ['status'], ['generate']].map((command) => [...command, '--dev-dir', '']);
      await expectRefused(newRig(), commands, `${prefix} --dev-dir is empty; pass the directory that holds the dev files, e.g. --dev-dir .stagecraft/dev\n`);
    },
    timeout,
  );
});

describe('a compose.yaml service name compose refuses', () => {
  test.each([['my web'], ['x@y'], ['é']])(
    '%j: exit 1 naming the service, before any docker call',
    async (name) => {
      const r = newRig();
      r.writeComposeFile(`name: minimal\nservices:\n  ${JSON.stringify(name)}:\n    image: busybox:latest\n`);
      const stderr = `${prefix} .stagecraft/dev/compose.yaml: service name ${JSON.stringify(name)} is not one compose accepts (letters, digits, "_", "." and "-" only); rename the service\n`;
      await expectRefused(r, [[], ['--detach'], ['plan']], stderr);
    },
    timeout,
  );
});

describe('a STAGECRAFT_* variable that is wrong is named as the variable', () => {
  const variable = (name: string, min: number, got: string): string =>
    `${prefix} ${name} must be a whole number of seconds from ${min} to 86400 (got ${JSON.stringify(got)}); fix or unset it; see stagecraft dev --help\n`;

  test.each([
    ['STAGECRAFT_GRACE', 'x', variable('STAGECRAFT_GRACE', 0, 'x')],
    ['STAGECRAFT_GRACE', '99999999999999999999', variable('STAGECRAFT_GRACE', 0, '99999999999999999999')],
    ['STAGECRAFT_GRACE', '-1', variable('STAGECRAFT_GRACE', 0, '-1')],
    ['STAGECRAFT_WAIT_TIMEOUT', '0', variable('STAGECRAFT_WAIT_TIMEOUT', 1, '0')],
    ['STAGECRAFT_WAIT_TIMEOUT', '1e3', variable('STAGECRAFT_WAIT_TIMEOUT', 1, '1e3')],
  ])(
    '%s=%s: refused by dev, dev plan (the fast path) and dev down (yargs), before any docker call',
    async (name, value, expected) => {
      await expectRefused(newRig(), [[], ['plan'], ['down'], ['--detach', '--wait']], expected, { env: { [name]: value } });
    },
    timeout,
  );

  test(
    'a flag beats a wrong variable: it is never read',
    async () => {
      const r = newRig();
      const result = await r.run(['plan', '--grace', '3'], { env: { STAGECRAFT_GRACE: 'x' } });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('docker compose -p minimal down --remove-orphans --timeout 3\n');
    },
    timeout,
  );

  test(
    'a right variable is used, and shown as the default in --help',
    async () => {
      const r = newRig();
      const plan = await r.run(['plan'], { env: { STAGECRAFT_GRACE: '7' } });
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('docker compose -p minimal down --remove-orphans --timeout 7\n');
      const help = await r.run(['--help'], { env: { STAGECRAFT_GRACE: '7' } });
      expect(help.stdout).toContain('[default: 7 (STAGECRAFT_GRACE)]');
    },
    timeout,
  );
});

// Issue 14 item 7: the 0.79 MB stagecraft.yml with 80,000 unknown keys is answered (exit 1,
// the first 20 problems located, then how many more) within a memory bound: node's old space
// held to 48 MB, which parsing all 80,000 lines with yaml overflows (it needs over 64 MB), and
// the rig's time bound. No docker command runs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliRig } from './cli-harness.js';

const timeout = 30_000;
let rig: CliRig | undefined;

afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

test(
  '80,000 unknown top-level keys: exit 1 naming the first 20 by line, then the count; in 48 MB of old space',
  async () => {
    rig = new CliRig(undefined);
    const keys = Array.from({ length: 80_000 }, (_, i) => `k${i}: 1\n`).join('');
    writeFileSync(path.join(rig.cwd, 'big.yml'), `project:\n  name: shop\nbackend:\n  provider: generic\n  image: shop/api\n  port: 8080\n${keys}`);
    const result = await rig.run(['plan', '--config', 'big.yml'], { env: { NODE_OPTIONS: '--max-old-space-size=48' } }, 20_000);
    const shown = Array.from({ length: 20 }, (_, i) => `big.yml:${7 + i}:1: k${i}: unknown key; expected one of project, backend, frontend, services, dev`);
    expect(result).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `${['stagecraft dev: error: big.yml has 80000 problems:', ...shown, '… and 79980 more'].join('\n  ')}\n`,
    });
    expect(rig.calls()).toStrictEqual([]);
  },
  timeout,
);

// What the benchmarks ran on: stated in RESULTS.md beside every figure.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const out = (file, args) => spawnSync(file, args, { encoding: 'utf8' }).stdout?.trim() || 'unknown';

/** Machine, OS and tool versions, as short strings. */
export function describeMachine(root) {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  let osName = os.type();
  try {
    osName = /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {}
  return {
    cpu: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${osName}, kernel ${os.release()}`,
    node: process.version,
    docker: out('docker', ['version', '--format', '{{.Server.Version}}']),
    compose: out('docker', ['compose', 'version', '--short']),
    stagecraft: pkg.version,
    yargs: pkg.dependencies?.yargs ?? '?',
  };
}

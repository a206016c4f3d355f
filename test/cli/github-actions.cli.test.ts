// L3: the built CLI as GitHub Actions runs it (GITHUB_ACTIONS=true, no terminal), its raw
// output read: each phase folded in a group, the failed start one `::error` annotation. The
// start fails on a port this test holds, so the holder stagecraft names is this process.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { composeFor } from './compose-argv.js';
import { useCliRigs } from './cli-harness.js';

const timeout = 20_000;
const rig = useCliRigs();
const minimal = composeFor('minimal');

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

/** Listens on 127.0.0.1 at a free port; resolves with the port. */
async function holdPort(): Promise<number> {
  server = createServer();
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const address = listening.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** GitHub's escaping of an annotation's message (%, CR, LF). */
const escaped = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');

describe('stagecraft dev on GitHub Actions', () => {
  test(
    'a start failing on a taken port: start, diagnostics and teardown folded; one ::error naming the service, the port and its holder; exit 2',
    async () => {
      const port = await holdPort();
      const r = rig('minimal');
      const result = await r.run(['--detach'], {
        env: { GITHUB_ACTIONS: 'true' },
        scenario: {
          up: {
            exitCode: 1,
            stderr: [
              ' Container minimal-web-1  Creating',
              ' Container minimal-web-1  Created',
              ' Container minimal-web-1  Starting',
              `Error response from daemon: driver failed programming external connectivity on endpoint minimal-web-1 (0fc1e28642ce): Error starting userland proxy: listen tcp4 127.0.0.1:${port}: bind: address already in use`,
            ],
          },
        },
      });
      expect(result.code).toBe(2);
      const commandLine = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter((arg) => arg !== '').join(' ');
      const message = [
        `starting project minimal failed: port 127.0.0.1:${port} of service web is taken by a process of this host: pid ${process.pid} (${commandLine})`,
        '  stop it, or publish another host port in compose.yaml',
        '  services at fault: web (their last log lines are above)',
        '  fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)',
      ].join('\n');
      const workflowLines = result.stderr.split('\n').filter((line) => line.startsWith('::'));
      expect(workflowLines).toEqual([
        '::group::start project minimal',
        '::endgroup::',
        '::group::diagnostics: why the start failed',
        '::endgroup::',
        '::group::teardown of project minimal (rollback)',
        '::endgroup::',
        `::error title=stagecraft dev%3A web failed to start::${escaped(message)}`,
      ]);
      // Inside the groups, what the phases said; the error is the annotation, not another line.
      const inGroup = (title: string): string[] => {
        const lines = result.stderr.split('\n');
        const from = lines.indexOf(`::group::${title}`);
        return lines.slice(from + 1, lines.indexOf('::endgroup::', from));
      };
      expect(inGroup('start project minimal').map((line) => line.replace(/^(stagecraft dev: )\+\d+\.\ds /, '$1+T '))).toEqual([
        'stagecraft dev: starting project minimal…',
        'stagecraft dev: +T web: creating',
        'stagecraft dev: +T web: created',
        'stagecraft dev: +T web: starting',
      ]);
      expect(inGroup('diagnostics: why the start failed')).toEqual([
        'stagecraft dev: start failed; rolling back',
        'stagecraft dev: last log lines of web:',
      ]);
      expect(result.stderr).not.toContain('stagecraft dev: error:');
      // `up`, then the engine asked which container publishes the port (none), then web's logs.
      expect(r.calls().slice(0, 3)).toEqual([
        minimal.up(),
        [
          'ps',
          '--filter',
          `publish=${port}`,
          '--format',
          '{"name":{{json .Names}},"project":{{json (.Label "com.docker.compose.project")}},"configFiles":{{json (.Label "com.docker.compose.project.config_files")}}}',
        ],
        minimal.tail('web'),
      ]);
    },
    timeout,
  );
});

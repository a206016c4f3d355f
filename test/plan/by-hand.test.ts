// The by-hand teardown (issue 14): what a user runs when stagecraft gave up, SPEC §3's teardown
// as one shell line: anonymous volumes included (compose's file-less `down` leaves them), never
// a named one; a graceful teardown stops first with its timeout, a forced one does not.
import { byHandCommand } from '../../src/plan/by-hand.js';

const label = 'label=com.docker.compose.project=shop';
const removeWithVolumes = (engine: string) => `${engine} ps --all --quiet --filter ${label} | xargs -r ${engine} rm --force --volumes`;

describe('byHandCommand', () => {
  it('forced (--timeout 0): each container with its anonymous volumes, then down', () => {
    expect(byHandCommand(['docker', 'compose', '-p', 'shop', 'down', '--remove-orphans', '--timeout', '0'])).toBe(
      `${removeWithVolumes('docker')} && docker compose -p shop down --remove-orphans --timeout 0`,
    );
  });

  it('graceful: compose stops them first, with the same timeout when one was given', () => {
    expect(byHandCommand(['docker', 'compose', '-p', 'shop', 'down', '--remove-orphans', '--timeout', '5'])).toBe(
      `docker compose -p shop stop --timeout 5 && ${removeWithVolumes('docker')} && docker compose -p shop down --remove-orphans --timeout 5`,
    );
    expect(byHandCommand(['docker', 'compose', '-p', 'shop', 'down', '--remove-orphans'])).toBe(
      `docker compose -p shop stop && ${removeWithVolumes('docker')} && docker compose -p shop down --remove-orphans`,
    );
  });

  it("through the compose command's engine CLI (a context), quoted; podman compose through podman", () => {
    expect(byHandCommand(['docker', '--context', 'my box', 'compose', '-p', 'shop', 'down', '--remove-orphans', '--timeout', '0'])).toBe(
      `${removeWithVolumes("docker --context 'my box'")} && docker --context 'my box' compose -p shop down --remove-orphans --timeout 0`,
    );
    expect(byHandCommand(['podman', 'compose', '-p', 'shop', 'down', '--remove-orphans', '--timeout', '0'])).toBe(
      `${removeWithVolumes('podman')} && podman compose -p shop down --remove-orphans --timeout 0`,
    );
  });

  it('an argv without -p is printed as it is', () => {
    expect(byHandCommand(['docker', 'compose', 'down'])).toBe('docker compose down');
  });
});

// What a user runs by hand when stagecraft could not finish a teardown: SPEC §3's teardown,
// every container, network and anonymous volume of the project and never a named volume, as
// one shell line. Compose's file-less `down` leaves anonymous volumes, and once it has removed
// the containers nothing names them (the engine gives them no label), so the engine removes
// each container of the project with its anonymous volumes first (`rm --volumes`: never a
// named one; one-off `run` containers too, which `compose rm -v` skips). A graceful teardown
// stops them with compose first, with its stop timeout; a forced one (`--timeout 0`) does not.
import { quoteArgv } from '../util/shell-words.js';
import { engineOf } from './build-plan.js';

/**
 * The by-hand line for a teardown whose `down` is `down` (`C -p P down --remove-orphans
 * [--timeout G]`, the plan's file-less argv): `[C -p P stop [--timeout G] &&] <engine> ps … |
 * xargs -r <engine> rm --force --volumes && <down>`. An argv without `-p P` is printed as it is.
 */
export function byHandCommand(down: readonly string[]): string {
  const at = down.indexOf('-p');
  const project = down[at + 1];
  if (at === -1 || project === undefined) return quoteArgv(down);
  const compose = down.slice(0, at);
  const engine = engineOf(compose);
  const timeoutAt = down.indexOf('--timeout');
  const timeout = timeoutAt === -1 ? undefined : down[timeoutAt + 1];
  const stop = timeout === '0' ? [] : [quoteArgv([...compose, '-p', project, 'stop', ...(timeout === undefined ? [] : ['--timeout', timeout])])];
  const containers = quoteArgv([...engine, 'ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`]);
  const removeWithVolumes = `${containers} | xargs -r ${quoteArgv([...engine, 'rm', '--force', '--volumes'])}`;
  return [...stop, removeWithVolumes, quoteArgv(down)].join(' && ');
}

// L3 under a real pseudo-terminal (util-linux `script`): the built CLI draws its live region
// (SPEC §5) on a 60-column terminal while the fake `up` builds in two steps and the events
// start the services. A small terminal model replays what reached the terminal: every frame
// the region showed, in order, and the screen left at the end.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { cliPath, useCliRigs } from './cli-harness.js';
import { composeEventLine, fakeBinDir, waitFor } from '../fixtures/fake-docker.js';

const timeout = 20_000;
const rig = useCliRigs();

const script = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim();
const stty = spawnSync('sh', ['-c', 'command -v stty'], { encoding: 'utf8' }).stdout.trim();
if (script === '' || stty === '') throw new Error('these tests need util-linux `script` and `stty` (apt-get install util-linux coreutils)');

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * The screen as a terminal shows it, for what the CLI writes: text, CR, LF, CPL (`ESC[nF`),
 * ED (`ESC[J`); colours are dropped. `frames` is each screen a region redraw left.
 */
function replay(raw: string): { screen: string[]; frames: string[][] } {
  const lines: string[] = [''];
  let row = 0;
  const frames: string[][] = [];
  const tokens = raw.replace(/\u001b\[[0-9;]*m/g, '').split(/(\u001b\[\d*F|\u001b\[J|\r|\n)/);
  for (const token of tokens) {
    if (token === '') continue;
    if (token === '\r') continue; // every line is written whole, from its start
    if (token === '\n') {
      row += 1;
      if (lines.length <= row) lines.push('');
    } else if (token === '\u001b[J') {
      lines.splice(row);
      lines.push('');
    } else if (token.startsWith('\u001b[') && token.endsWith('F')) {
      // A redraw begins: what is on screen now is the previous frame.
      frames.push(lines.slice(0, -1));
      row -= Number(token.slice(2, -1) || '1');
    } else {
      lines[row] = `${lines[row] ?? ''}${token}`;
    }
  }
  return { screen: lines.filter((line, i) => line !== '' || i < lines.length - 1), frames };
}

/** The region's rows in a screen: `✔ app  running  0.4s` → `✔ app  running`. */
const rowsOf = (screen: readonly string[]): string[] =>
  screen.filter((line) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔✖○] /.test(line)).map((line) => line.replace(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, '⠿').replace(/ {2}\S+$/, ''));

describe('stagecraft dev on a terminal: the live region', () => {
  test(
    'each service\'s state redrawn in place (a two-step build, then running), the summary left on screen',
    async () => {
      const r = rig('minimal');
      const event = (service: string) => composeEventLine('minimal', service, 'start');
      const out = (text: string, delayMs = 250) => ({ text, delayMs, stream: 'stdout' as const });
      const scenario = {
        up: {
          chunks: [
            out('#1 [app internal] load build definition from Dockerfile\n', 0),
            out('#2 [app 1/2] FROM busybox\n#2 CACHED\n'),
            out('#3 [app 2/2] RUN make\n'),
            out('#3 0.100 cc main.c\n#3 DONE 0.4s\n#4 [app] exporting to image\n#4 DONE 0.0s\n'),
            { text: ' Container minimal-app-1  Starting\n', delayMs: 250, stream: 'stderr' as const },
          ],
        },
        // The services start once the wait's one `ps` ran.
        events: { chunks: [{ text: `${event('app')}\n`, after: 'ps' as const, delayMs: 250 }, { text: `${event('web')}\n`, delayMs: 250 }], untilDown: true },
      };
      const command = `${quote(stty)} cols 60 rows 30; exec ${quote(process.execPath)} ${quote(cliPath)} dev --detach --wait`;
      const child = spawn(script, ['-qfec', command, '/dev/null'], {
        cwd: r.cwd,
        // The rig's node-only folder (the fake docker is a node script), after the fake docker.
        env: { PATH: `${fakeBinDir}${path.delimiter}${path.join(r.root, 'node-bin')}`, HOME: r.root, TERM: 'xterm', FAKE_DOCKER_LOG: r.logFile, FAKE_DOCKER_SCENARIO: JSON.stringify(scenario) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let raw = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
      let code: number | null = null;
      child.on('close', (c) => (code = c));
      await waitFor(() => code !== null, 'the CLI under script to exit', 15_000, () => raw);
      expect({ code, said: code === 0 ? '' : raw }).toEqual({ code: 0, said: '' });

      const { screen, frames } = replay(raw);
      // Each distinct state the region went through, in order (spinner and times masked).
      const states = frames.map(rowsOf).filter((rows) => rows.length > 0).map((rows) => rows.join(' | '));
      const distinct = states.filter((state, i) => state !== states[i - 1]);
      expect(distinct).toEqual([
        '⠿ app  pending | ⠿ web  pending',
        // Cut to the 60 columns, the elapsed time kept.
        '⠿ app  building: load build definition from Dockerfi… | ⠿ web  pending',
        '⠿ app  building step 1/2 FROM busybox | ⠿ web  pending',
        '⠿ app  building step 2/2 RUN make | ⠿ web  pending',
        '⠿ app  building: exporting to image | ⠿ web  pending',
        '⠿ app  built | ⠿ web  pending',
        '⠿ app  starting | ⠿ web  pending',
        '✔ app  running | ⠿ web  pending',
        '✔ app  running | ✔ web  running',
      ]);
      // The screen left: the lines said above the region, the summary, the last word below it.
      expect(screen.map((line) => line.replace(/ {2}\d+\.\ds$/, '  T'))).toEqual([
        'stagecraft dev: starting project minimal…',
        'stagecraft dev: waiting up to 120 s for app, web to be ready…',
        '✔ app  running  T',
        '✔ web  running  T',
        'stagecraft dev: project minimal is running in the background; stop it with: stagecraft dev down',
      ]);
      // Every row of the region within the 60 columns (one spare): the terminal never wrapped
      // one, so each redraw went back up exactly the rows it drew.
      const rows = [...frames.flat(), ...screen].filter((line) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔✖○] /.test(line));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((line) => Array.from(line).length > 59)).toEqual([]);
    },
    timeout,
  );
});

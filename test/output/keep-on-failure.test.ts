// A failed start tells what to do next; a run given --keep-on-failure is not told to pass it.
import type { SessionFailure } from '../../machines/dev-session.types.js';
import { messageOf } from '../../src/output/pretty-reporter.js';
import type { SessionEvent } from '../../src/output/reporter.js';
import { prettyReporter, sessionOutput } from './reporter-rig.js';

const startFailed: SessionFailure = {
  kind: 'start-failed',
  message: 'starting project shop failed: web exited with code 1 before the stack was ready',
  stderrTail: '',
  services: ['web'],
};
const leftBehind = ['docker', 'compose', '-p', 'shop', 'down', '--remove-orphans'];

/** A failed start, rolled back or kept, as the session machine reports it. */
const failedStart = (keepOnFailure: boolean): SessionEvent[] => [
  { type: 'rollingBack', keepOnFailure },
  {
    type: 'finished',
    output: sessionOutput({ finalState: 'failed', exitCode: 2, failure: startFailed, ...(keepOnFailure ? { leftBehind } : {}) }),
  },
];

function stderrOf(events: readonly SessionEvent[], options: Parameters<typeof prettyReporter>[0] = {}): string {
  const { reporter, stderr } = prettyReporter(options);
  for (const event of events) reporter.report(event);
  return stderr.text;
}

describe('the next step after a failed start', () => {
  it('rolled back: suggests --keep-on-failure', () => {
    expect(stderrOf(failedStart(false))).toBe(
      [
        'stagecraft dev: start failed; rolling back',
        'stagecraft dev: error: starting project shop failed: web exited with code 1 before the stack was ready',
        '  services at fault: web (their last log lines are above)',
        '  fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)',
        '',
      ].join('\n'),
    );
  });

  it('kept with --keep-on-failure: does not suggest the flag again; says how to remove what was kept', () => {
    expect(stderrOf(failedStart(true))).toBe(
      [
        'stagecraft dev: start failed; keeping what was created for inspection (--keep-on-failure)',
        'stagecraft dev: error: starting project shop failed: web exited with code 1 before the stack was ready',
        '  services at fault: web (their last log lines are above)',
        '  fix what compose reported and run stagecraft dev again',
        'stagecraft dev: the stack of project shop may still be there; remove it with: stagecraft dev down -p shop',
        'stagecraft dev:   or by hand: docker compose -p shop stop && docker ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r docker rm --force --volumes && docker compose -p shop down --remove-orphans',
        '',
      ].join('\n'),
    );
  });

  const kept = [
    'stagecraft dev: the stack of project shop may still be there; remove it with: stagecraft dev down -p shop',
    'stagecraft dev:   or by hand: docker compose -p shop stop && docker ps --all --quiet --filter label=com.docker.compose.project=shop | xargs -r docker rm --force --volumes && docker compose -p shop down --remove-orphans',
    '',
  ];

  it('kept, with --quiet (the rolling-back line hidden): not suggested either', () => {
    expect(stderrOf(failedStart(true), { quiet: true })).toBe(
      [
        'stagecraft dev: error: starting project shop failed: web exited with code 1 before the stack was ready',
        '  services at fault: web (their last log lines are above)',
        '  fix what compose reported and run stagecraft dev again',
        ...kept,
      ].join('\n'),
    );
  });

  it('kept, on GitHub Actions: the annotation does not suggest it either', () => {
    expect(stderrOf(failedStart(true), { githubActions: true })).toBe(
      [
        '::group::diagnostics: why the start failed',
        'stagecraft dev: start failed; keeping what was created for inspection (--keep-on-failure)',
        '::endgroup::',
        '::error title=stagecraft dev%3A web failed to start::starting project shop failed: web exited with code 1 before the stack was ready%0A  services at fault: web (their last log lines are above)%0A  fix what compose reported and run stagecraft dev again',
        ...kept,
      ].join('\n'),
    );
  });

  it('messageOf: the same failure, kept or not', () => {
    const atFault = 'starting project shop failed: web exited with code 1 before the stack was ready\n  services at fault: web (their last log lines are above)';
    expect(messageOf(startFailed, true)).toBe(`${atFault}\n  fix what compose reported and run stagecraft dev again`);
    expect(messageOf(startFailed)).toBe(
      `${atFault}\n  fix what compose reported and run stagecraft dev again (--keep-on-failure keeps what was created, for inspection)`,
    );
  });
});

// `--events <file>` when the disk fills mid-session: the session goes on, the file ends at its
// last whole line, and the reporter says why (issue 14 item 3).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventsFileReporter } from '../../src/output/events-file-reporter.js';

const now = () => new Date('2026-03-04T05:06:07.000Z');
const transition = (to: string) => ({ type: 'transition', from: 'starting', event: 'x', to }) as const;

describe('EventsFileReporter', () => {
  it('writes one JSON line per event and has no problem while all is well', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-events-'));
    try {
      const file = path.join(dir, 'events.jsonl');
      const reporter = new EventsFileReporter(file, now);
      reporter.report(transition('attached'));
      reporter.close();
      expect(await readFile(file, 'utf8')).toBe(
        '{"time":"2026-03-04T05:06:07.000Z","type":"transition","from":"starting","event":"x","to":"attached"}\n',
      );
      expect(reporter.problem).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // /dev/full: every write fails with ENOSPC, as on a full disk.
  it('a full disk: the first failed write is the problem, in one sentence; later events are dropped, nothing throws', () => {
    const reporter = new EventsFileReporter('/dev/full', now);
    expect(() => reporter.report(transition('attached'))).not.toThrow();
    expect(reporter.problem).toBe('cannot write /dev/full: no space left on device');
    expect(() => reporter.report(transition('stopping'))).not.toThrow();
    expect(reporter.problem).toBe('cannot write /dev/full: no space left on device');
    reporter.close();
  });
});

// `dev down` hears a racing start's record being written (issue 14 item 5): whenRecordOf.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { whenRecordOf } from '../../src/session-file/record-written.js';
import { writeSessionFile } from '../../src/session-file/session-file.js';
import { shopRecord } from '../fixtures/shop-session.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stagecraft-record-written-'));
  file = path.join(dir, 'session.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Whether `promise` has settled once the event loop has turned (a write's watch events included). */
async function settled(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

describe('whenRecordOf', () => {
  it('resolves at once when the file names the pid already', async () => {
    await writeSessionFile(file, shopRecord({ pid: 4242 }));
    await expect(whenRecordOf(file, 4242, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('waits while there is no file, and resolves when the record is written (renamed into place)', async () => {
    const waiting = whenRecordOf(file, 4242, new AbortController().signal);
    expect(await settled(waiting)).toBe('pending');
    await writeSessionFile(file, shopRecord({ pid: 4242 }));
    await expect(waiting).resolves.toBeUndefined();
  });

  it('an unrelated file of the dev dir changing is no news', async () => {
    const controller = new AbortController();
    const waiting = whenRecordOf(file, 4242, controller.signal);
    expect(await settled(waiting)).toBe('pending');
    await writeFile(path.join(dir, 'compose.yaml'), 'services: {}\n');
    expect(await settled(waiting)).toBe('pending');
    controller.abort(new Error('given up'));
    await expect(waiting).rejects.toThrow('given up');
  });

  it('a dev dir that cannot be watched never resolves it; an abort rejects it', async () => {
    const controller = new AbortController();
    const waiting = whenRecordOf(path.join(dir, 'missing', 'session.json'), 4242, controller.signal);
    expect(await settled(waiting)).toBe('pending');
    controller.abort(new Error('given up'));
    await expect(waiting).rejects.toThrow('given up');
  });
});

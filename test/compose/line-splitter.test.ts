import { LineSplitter, TailBuffer } from '../../src/compose/line-splitter.js';

function splitter(): { push: (chunk: string) => void; flush: () => void; discard: () => void; emitted: string[] } {
  const emitted: string[] = [];
  const s = new LineSplitter((lines) => emitted.push(lines));
  return { push: (chunk) => s.push(chunk), flush: () => s.flush(), discard: () => s.discard(), emitted };
}

describe('LineSplitter', () => {
  it('passes whole lines on at once, as one run', () => {
    const s = splitter();
    s.push('a\nb\n');
    expect(s.emitted).toStrictEqual(['a\nb\n']);
  });

  it('holds a partial line back until its newline arrives', () => {
    const s = splitter();
    s.push('api-1  | hel');
    expect(s.emitted).toStrictEqual([]);
    s.push('lo\napi-1  | wor');
    expect(s.emitted).toStrictEqual(['api-1  | hello\n']);
    s.push('ld\n');
    expect(s.emitted).toStrictEqual(['api-1  | hello\n', 'api-1  | world\n']);
  });

  it('joins a line split over many chunks', () => {
    const s = splitter();
    for (const ch of 'one\ntwo\n') s.push(ch);
    expect(s.emitted).toStrictEqual(['one\n', 'two\n']);
  });

  it('keeps empty lines', () => {
    const s = splitter();
    s.push('\n\nx\n');
    expect(s.emitted).toStrictEqual(['\n\nx\n']);
  });

  it('flush passes on a last line without newline, adding one', () => {
    const s = splitter();
    s.push('a\nlast');
    s.flush();
    expect(s.emitted).toStrictEqual(['a\n', 'last\n']);
  });

  it('discard drops a last line without newline (a cut one): a flush after it has nothing to pass on', () => {
    const s = splitter();
    s.push('a\nwe');
    s.discard();
    s.flush();
    expect(s.emitted).toStrictEqual(['a\n']);
  });

  it('flush with nothing pending emits nothing, and twice is harmless', () => {
    const s = splitter();
    s.push('a\n');
    s.flush();
    s.flush();
    expect(s.emitted).toStrictEqual(['a\n']);
  });

  it('passes on a partial line past 1 MiB rather than holding it forever', () => {
    const s = splitter();
    const big = 'x'.repeat(1024 * 1024);
    s.push(big);
    expect(s.emitted).toStrictEqual([]);
    s.push('y');
    expect(s.emitted).toStrictEqual([`${big}y\n`]);
    s.push('z\n');
    expect(s.emitted).toStrictEqual([`${big}y\n`, 'z\n']);
  });
});

describe('TailBuffer', () => {
  it('keeps the last lines, joined by newlines', () => {
    const tail = new TailBuffer(3);
    for (const line of ['1', '2', '3', '4', '5']) tail.add(line);
    expect(tail.toString()).toBe('3\n4\n5');
  });

  it('is empty with no lines, and keeps fewer than its size as they are', () => {
    const tail = new TailBuffer(3);
    expect(tail.toString()).toBe('');
    tail.add('only');
    expect(tail.toString()).toBe('only');
  });
});

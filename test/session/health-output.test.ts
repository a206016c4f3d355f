// `docker inspect --format '{{json .State.Health}}' <container>` output, as the engine prints it.
import { lastHealthOutput } from '../../src/session/health-output.js';

const check = (exitCode: number, output: string, start = '2026-12-01T15:30:01.123456789Z') =>
  ({ Start: start, End: '2026-12-01T15:30:01.2Z', ExitCode: exitCode, Output: output }) as Record<string, unknown>;
const health = (status: string, log: unknown[]) => `${JSON.stringify({ Status: status, FailingStreak: 3, Log: log })}\n`;

describe('lastHealthOutput', () => {
  it("is the last check's output, trimmed, with its exit code", () => {
    const stdout = health('unhealthy', [
      check(0, 'ok\n', '2026-12-01T15:29:51Z'),
      check(1, "wget: can't connect to remote host (127.0.0.1): Connection refused\n"),
    ]);
    expect(lastHealthOutput(stdout)).toBe("wget: can't connect to remote host (127.0.0.1): Connection refused (exit code 1)");
  });

  it('keeps a multi-line output whole', () => {
    expect(lastHealthOutput(health('unhealthy', [check(2, '  first\nsecond\n\n')]))).toBe('first\nsecond (exit code 2)');
  });

  it('a check that timed out (exit code -1)', () => {
    expect(lastHealthOutput(health('starting', [check(-1, 'Health check exceeded timeout (1s)')]))).toBe(
      'Health check exceeded timeout (1s) (exit code -1)',
    );
  });

  it('says so when the check printed nothing', () => {
    expect(lastHealthOutput(health('unhealthy', [check(1, '')]))).toBe('no output (exit code 1)');
    expect(lastHealthOutput(health('unhealthy', [check(1, ' \n')]))).toBe('no output (exit code 1)');
  });

  it('leaves the exit code out when there is none', () => {
    expect(lastHealthOutput(health('unhealthy', [{ Output: 'down' }]))).toBe('down');
    expect(lastHealthOutput(health('unhealthy', [{ ExitCode: '1', Output: 'down' }]))).toBe('down');
    expect(lastHealthOutput(health('unhealthy', [{}]))).toBe('no output');
  });

  it.each([
    ['a container without a healthcheck (`null`)', 'null\n'],
    ['no check run yet', health('starting', [])],
    ['no Log', '{"Status":"starting","FailingStreak":0}\n'],
    ['a Log that is not a list', '{"Status":"starting","Log":"x"}\n'],
    ['empty output', ''],
    ['not JSON', 'Error: No such object: 1f2e\n'],
    ['a JSON string', '"unhealthy"\n'],
  ])('is undefined for %s', (_what, stdout) => {
    expect(lastHealthOutput(stdout)).toBeUndefined();
  });
});

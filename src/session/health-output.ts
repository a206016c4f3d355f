// `docker inspect --format '{{json .State.Health}}' <container>` → the last health-check's output.

/** The output of the last health check in `stdout`, trimmed; undefined when there is none. */
export function lastHealthOutput(stdout: string): string | undefined {
  let health: unknown;
  try {
    health = JSON.parse(stdout.trim());
  } catch {
    return undefined;
  }
  if (typeof health !== 'object' || health === null) return undefined;
  const log = (health as { Log?: unknown }).Log;
  if (!Array.isArray(log) || log.length === 0) return undefined;
  const last = log[log.length - 1] as { Output?: unknown; ExitCode?: unknown };
  const output = typeof last.Output === 'string' ? last.Output.trim() : '';
  const code = typeof last.ExitCode === 'number' ? ` (exit code ${last.ExitCode})` : '';
  return output === '' ? `no output${code}` : `${output}${code}`;
}

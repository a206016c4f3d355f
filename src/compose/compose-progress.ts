// Compose mixes progress lines (" Container x  Started") with its errors on stderr.

const progress =
  /^\s*(Network|Container|Volume|Image|Service)\s+\S+\s+(Creating|Created|Starting|Started|Waiting|Healthy|Stopping|Stopped|Removing|Removed|Running|Recreate|Recreated|Pulling|Pulled|Building|Built|Exited|Killing|Killed|Error)\b/;

/** True for a compose progress line rather than an error message. */
export function isProgressLine(line: string): boolean {
  return progress.test(line);
}

/** The lines of compose's stderr that say what went wrong (its progress lines dropped). */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !isProgressLine(line));
}

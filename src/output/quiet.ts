import type { SessionEvent } from './reporter.js';

/**
 * `--quiet`: stagecraft says only what went wrong and its last word. Container logs are the
 * stack's, not stagecraft's, and still reach stdout; so do a failure's diagnostics.
 */
export function shownWhenQuiet(event: SessionEvent): boolean {
  switch (event.type) {
    case 'logs':
    case 'error':
    case 'finished':
    case 'diagnostics':
    case 'healthOutput':
    case 'restarted':
      return true;
    // Detached, the start's last line is the run's last line: how to stop what runs.
    case 'started':
      return event.mode === 'detach';
    default:
      return false;
  }
}

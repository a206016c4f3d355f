// The guardian proper (its own bundle entry: dist/src/guardian/guardian-main.js), started by
// a foreground session's watcher (spawn-guardian.ts: a shell in a session of its own, outside
// the CLI's process tree) only once the pipe the CLI held has closed without a clean end: the
// CLI died, however (SIGKILL, a killed process tree). Its stdin carries what the CLI said,
// then ends. It ends the CLI's compose children and tears down what the CLI handed it, then
// exits. (It reads as a stream, so it would also work started before the end.)
import { actOnHangUp, forcedTeardownMs, gracefulTeardownMs } from './guardian-act.js';
import { GuardianLedger } from './guardian-ledger.js';

// Not ours to obey: a terminal's Ctrl+C or hang-up is for the CLI (this is another session,
// so they should not come here; a stray one must not end the watch). SIGTERM still ends it.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

/** Past the teardown's bounds, something is stuck: the guardian gives up rather than linger. */
const slackMs = 15_000;

const ledger = new GuardianLedger();
let hungUp = false;

async function hangUp(): Promise<void> {
  if (hungUp) return;
  hungUp = true;
  const verdict = ledger.verdict();
  if (verdict.kind === 'nothing') return;
  const plan = verdict.teardown?.plan;
  if (plan !== undefined) {
    setTimeout(() => process.exit(2), gracefulTeardownMs(plan) + forcedTeardownMs + slackMs).unref();
  }
  // Loaded only now (execa, the lock, the teardown): an idle guardian holds little more than this file.
  const { createGuardianDeps } = await import('./guardian-effects.js');
  const outcome = await actOnHangUp(verdict, createGuardianDeps(process.env, process.cwd()));
  process.exitCode = outcome === 'teardownFailed' ? 2 : 0;
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => ledger.push(chunk));
// A reset pipe is a closed one; 'close' follows either way.
process.stdin.on('error', () => undefined);
process.stdin.once('close', () => {
  hangUp().catch(() => {
    process.exitCode = 3;
  });
});

// The guardian's whole knowledge of its CLI, from the lines the CLI wrote, and what it must
// do when the pipe closes. Pure: no process is touched here (guardian-act.ts does that).
import type { DevPlan } from '../../machines/dev-session.types.js';
import { LineSplitter } from '../compose/line-splitter.js';
import type { ProcessIdentity } from '../session-file/process-identity.js';
import { unreachable } from '../util/unreachable.js';
import { parseMessage, type GuardianMessage } from './guardian-protocol.js';

/** What a session that started `up` handed over: the stack to tear down should its CLI die. */
export interface Armed {
  readonly cli: ProcessIdentity;
  readonly plan: DevPlan;
  readonly sessionFile: string;
  /** The session was forcing its teardown already: no graceful one first. */
  readonly forced: boolean;
}

/**
 * What to do once the pipe has closed: nothing (the CLI said `done`), or end the CLI's
 * compose children that had not ended and, when the session had started `up` and not yet
 * ended, tear its stack down.
 */
export type Verdict =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'act'; readonly children: readonly ProcessIdentity[]; readonly teardown: Armed | undefined };

/** Reads the CLI's lines as they come; `verdict()` answers when the pipe has closed. */
export class GuardianLedger {
  readonly #children = new Map<number, ProcessIdentity>();
  #armed: Armed | undefined;
  #done = false;
  // A last line cut short (the CLI died writing it) never ends in a newline: it is never read.
  readonly #lines = new LineSplitter((lines) => {
    for (const line of lines.slice(0, -1).split('\n')) {
      const message = parseMessage(line);
      if (message !== undefined) this.apply(message);
    }
  });

  /** Text from the pipe, in whatever chunks it came. */
  push(text: string): void {
    this.#lines.push(text);
  }

  /** True once the CLI said it ended cleanly. */
  get done(): boolean {
    return this.#done;
  }

  apply(message: GuardianMessage): void {
    switch (message.type) {
      case 'child':
        this.#children.set(message.child.pid, message.child);
        return;
      case 'ended':
        this.#children.delete(message.pid);
        return;
      case 'arm':
        this.#armed = { cli: message.cli, plan: message.plan, sessionFile: message.sessionFile, forced: false };
        return;
      case 'force':
        if (this.#armed !== undefined) this.#armed = { ...this.#armed, forced: true };
        return;
      case 'disarm':
        this.#armed = undefined;
        return;
      case 'done':
        this.#done = true;
        return;
      default:
        return unreachable(message);
    }
  }

  /** The pipe has closed: what the CLI's end calls for. */
  verdict(): Verdict {
    if (this.#done) return { kind: 'nothing' };
    return { kind: 'act', children: [...this.#children.values()], teardown: this.#armed };
  }
}

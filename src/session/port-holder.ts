// Who holds a published port `up` could not bind (SPEC §5): a container of the engine (whose
// compose project, and whether a stagecraft session runs it: its session record sits beside
// its compose file), else a process of this host, read from /proc.
import path from 'node:path';
import type { DevPlan } from '../../machines/dev-session.types.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { PortConflict } from '../compose/port-conflict.js';
import { portHolderCommand } from '../plan/port-holder-command.js';
import { readSessionFile, sessionFilePath } from '../session-file/session-file.js';
import { listeningInodes, processesHolding } from './proc-sockets.js';

export type PortHolder =
  | {
      readonly kind: 'container';
      readonly name: string;
      /** Its compose project, when compose made it. */
      readonly project: string | undefined;
      /** The dev dir of the stagecraft session that runs that project, if one does. */
      readonly devDir: string | undefined;
    }
  | { readonly kind: 'process'; readonly pid: number; readonly commandLine: string }
  /** Neither a container nor a process visible here (the engine runs elsewhere, or another user's). */
  | { readonly kind: 'unseen' };

interface ListedContainer {
  readonly name: string;
  readonly project: string;
  readonly configFiles: string;
}

/** `ps --format <portHolderFormat>` output; lines that are not such objects are skipped. */
export function parseHolderList(stdout: string): ListedContainer[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      const value = JSON.parse(line) as Partial<Record<keyof ListedContainer, unknown>>;
      const text = (v: unknown): string => (typeof v === 'string' ? v : '');
      return typeof value.name === 'string' ? [{ name: value.name, project: text(value.project), configFiles: text(value.configFiles) }] : [];
    } catch {
      return [];
    }
  });
}

/** The dev dir of a stagecraft session running `project` from `configFiles`, if its record says so. */
async function sessionDevDir(project: string, configFiles: string): Promise<string | undefined> {
  const first = configFiles.split(',')[0] ?? '';
  if (project === '' || !path.isAbsolute(first)) return undefined;
  const devDir = path.dirname(first);
  const record = await readSessionFile(sessionFilePath(devDir, '/')).catch(() => undefined);
  return record?.project === project ? devDir : undefined;
}

export interface PortHolderDeps {
  readonly runner: ComposeRunner;
  /** Where /proc is (tests pass a made-up one). */
  readonly procRoot?: string;
}

/** Finds who holds `conflict`'s port. Best effort: a failing lookup finds nobody. */
export async function findPortHolder(conflict: PortConflict, plan: DevPlan, deps: PortHolderDeps, signal: AbortSignal): Promise<PortHolder> {
  const listed = await deps.runner.run(portHolderCommand(plan, conflict.port), signal).then(
    (result) => parseHolderList(result.stdout),
    () => [],
  );
  const container = listed[0];
  if (container !== undefined) {
    const project = container.project === '' ? undefined : container.project;
    return { kind: 'container', name: container.name, project, devDir: await sessionDevDir(container.project, container.configFiles) };
  }
  const [process] = processesHolding(listeningInodes(conflict.port, conflict.protocol, deps.procRoot), deps.procRoot);
  return process === undefined ? { kind: 'unseen' } : { kind: 'process', ...process };
}

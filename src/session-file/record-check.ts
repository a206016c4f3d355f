// The strict check of a session record (SPEC §6, issue 11 item 8). A record decides whom
// `dev down` signals and which project it tears down, and anyone who can write the dev dir
// can write it: every field it acts on or prints must be what stagecraft itself writes.
import { projectNamePattern } from '../plan/check-flags.js';

const modes: ReadonlySet<unknown> = new Set(['foreground', 'detach', 'down']);
/** A machine state, dotted: `attached`, `stopping.graceful`. */
const statePattern = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;
const tagPattern = /^[A-Za-z][A-Za-z0-9]*$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown, min: number): boolean => Number.isSafeInteger(value) && (value as number) >= min;
const isTime = (value: unknown): boolean => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * What is wrong with `value` as a session record, in a few words; undefined when nothing is.
 * The plan inside is only required to be an object: nothing runs argv read from it.
 */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (value['version'] !== 1) return `version ${JSON.stringify(value['version'])} is not 1`;
  const project = value['project'];
  if (typeof project !== 'string' || !projectNamePattern.test(project)) return 'its project is not a compose project name';
  if (!modes.has(value['mode'])) return 'its mode is not foreground, detach or down';
  // 0 and negative pids signal process groups: never a session.
  if (!isCount(value['pid'], 1)) return 'its pid is not a positive whole number';
  const ticks = value['pidStartTicks'];
  if (ticks !== null && !isCount(ticks, 0)) return 'its pidStartTicks is neither null nor a whole number';
  if (!isTime(value['startedAt']) || !isTime(value['updatedAt'])) return 'its startedAt or updatedAt is not a time';
  const state = value['state'];
  if (typeof state !== 'string' || !statePattern.test(state)) return 'its state is not a machine state';
  const tags = value['tags'];
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string' && tagPattern.test(tag)))) {
    return 'its tags are not a list of state tags';
  }
  if (!isObject(value['plan'])) return 'it has no plan';
  return undefined;
}

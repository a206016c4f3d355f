// `compose events --json` lines → typed engine events (pure).
// Compose 2.26 prints one JSON object per line:
//   {"action":"die","attributes":{"exitCode":"3",…},"id":"<container>","service":"web","time":"…","type":"container"}
// Health changes arrive as `"action":"health_status: healthy"`; exec_* and other actions
// say nothing about the container's life and are dropped.
import type { EngineEvent } from '../../machines/service.types.js';

const lifecycleActions: ReadonlySet<string> = new Set(['create', 'start', 'kill', 'destroy']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * One line of `compose events --json` as an engine event; `undefined` for a line that
 * is not JSON, not about a container's life, or lacks what the session needs.
 */
export function parseComposeEvent(line: string): EngineEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const action = text(r['action']);
  const service = text(r['service']);
  const container = text(r['id']);
  if (action === undefined || service === undefined || container === undefined) return undefined;
  if (r['type'] !== undefined && r['type'] !== 'container') return undefined;
  const time = text(r['time']) ?? '';
  const base = { service, container, time };
  if (lifecycleActions.has(action)) return { ...base, action: action as 'create' | 'start' | 'kill' | 'destroy' };
  if (action === 'die') {
    const attributes = r['attributes'];
    const exitCode = Number((attributes as Record<string, unknown> | undefined)?.['exitCode']);
    return { ...base, action: 'die', exitCode: Number.isInteger(exitCode) ? exitCode : -1 };
  }
  const health = /^health_status: (healthy|unhealthy)$/.exec(action.trim());
  if (health !== null) return { ...base, action: 'health', health: health[1] as 'healthy' | 'unhealthy' };
  return undefined;
}

/** Every engine event in `text` (whole lines), in order. */
export function parseComposeEvents(text: string): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const event = parseComposeEvent(line);
    if (event !== undefined) events.push(event);
  }
  return events;
}

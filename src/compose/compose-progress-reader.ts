// What `up` and `down` print while they work, read per service. Compose 2.x off a terminal
// writes its progress to stderr, one line per change (` api Pulling`, ` Container shop-api-1
// Starting`), and BuildKit's plain build log to stdout (`#5 [api 2/3] RUN npm ci`,
// `#5 0.247 <output>`, `#5 DONE 1.3s`, `#5 ERROR: …`). Pure: lines in, updates out.

/** One step of a service's build: `2/7 RUN npm ci`, or an unnumbered one (`exporting to image`). */
export interface BuildStep {
  readonly index: number | undefined;
  readonly total: number | undefined;
  readonly text: string;
}

/** What compose said a service is doing. */
export type ComposeActivity =
  | 'pulling'
  | 'pulled'
  | 'building'
  | 'built'
  | 'build-failed'
  | 'creating'
  | 'created'
  | 'recreating'
  | 'starting'
  | 'started'
  | 'waiting'
  | 'healthy'
  | 'stopping'
  | 'stopped'
  | 'removing'
  | 'removed';

export interface ComposeProgress {
  readonly service: string;
  readonly activity: ComposeActivity;
  /** The build step, for `building` and `build-failed`. */
  readonly step?: BuildStep;
}

/** A build that failed: its service, the step and its last output lines. */
export interface BuildFailure {
  readonly service: string;
  readonly step: BuildStep | undefined;
  readonly error: string;
  readonly lastLines: readonly string[];
}

const containerActions: Readonly<Record<string, ComposeActivity>> = {
  Creating: 'creating',
  Created: 'created',
  Recreate: 'recreating',
  Recreated: 'created',
  Starting: 'starting',
  Started: 'started',
  Running: 'started',
  Waiting: 'waiting',
  Healthy: 'healthy',
  Stopping: 'stopping',
  Stopped: 'stopped',
  Removing: 'removing',
  Removed: 'removed',
};

// ` Container shop-api-1  Starting`, `Container shop-api-1  Started` (with or without leading spaces).
const containerLine = /^\s*Container\s+(\S+)\s+([A-Z][a-z]+)\b/;
// ` api Pulling`, ` api Pulled` (layer lines name a layer id instead, and are not read).
const pullLine = /^\s*(\S+)\s+(Pulling|Pulled)\s*$/;
// `#5 [api 2/3] RUN …`, `#9 [api builder 2/5] COPY …`, `#1 [api internal] load …`, `#7 [api] exporting to image`.
const vertexLine = /^#(\d+) \[([^\]]+)\] (.*)$/;
const stepNumber = /^(\d+)\/(\d+)$/;
const vertexOutput = /^#(\d+) \d+\.\d+ (.*)$/;
const vertexDone = /^#(\d+) (DONE|CACHED)\b/;
const vertexError = /^#(\d+) ERROR:? (.*)$/;

/** Lines of a build's output kept for its failure. */
const keptLines = 10;

interface Vertex {
  readonly service: string;
  readonly step: BuildStep;
  readonly export: boolean;
}

/** The service of container `name` of `project` (`shop-api-1` → `api`), or undefined. */
export function serviceOfContainer(name: string, project: string): string | undefined {
  if (!name.startsWith(`${project}-`) && !name.startsWith(`${project}_`)) return undefined;
  const match = /^(.+)[-_]\d+$/.exec(name.slice(project.length + 1));
  return match?.[1];
}

/**
 * Reads compose's progress lines of one command (`up` or `down`) of `project`. `read` returns
 * the updates a line brings (mostly none); `failedBuilds()` what failed building, with the last
 * lines each build printed.
 */
export class ComposeProgressReader {
  readonly #project: string;
  readonly #vertices = new Map<string, Vertex>();
  /** The last output lines of each build step (vertex), by its number. */
  readonly #output = new Map<string, string[]>();
  readonly #failures: BuildFailure[] = [];

  constructor(project: string) {
    this.#project = project;
  }

  read(line: string): ComposeProgress[] {
    const container = containerLine.exec(line);
    if (container !== null) {
      const service = serviceOfContainer(container[1] ?? '', this.#project);
      const activity = containerActions[container[2] ?? ''];
      return service === undefined || activity === undefined ? [] : [{ service, activity }];
    }
    const pull = pullLine.exec(line);
    if (pull !== null && !/^[0-9a-f]{12}$/.test(pull[1] ?? '')) {
      return [{ service: pull[1] ?? '', activity: pull[2] === 'Pulling' ? 'pulling' : 'pulled' }];
    }
    return line.startsWith('#') ? this.#readBuild(line) : [];
  }

  failedBuilds(): readonly BuildFailure[] {
    return this.#failures;
  }

  #readBuild(line: string): ComposeProgress[] {
    const vertex = vertexLine.exec(line);
    if (vertex !== null) return this.#readVertex(vertex[1] ?? '', vertex[2] ?? '', vertex[3] ?? '');
    const output = vertexOutput.exec(line);
    if (output !== null) {
      if (this.#vertices.has(output[1] ?? '')) this.#keep(output[1] ?? '', output[2] ?? '');
      return [];
    }
    const done = vertexDone.exec(line);
    if (done !== null) {
      const known = this.#vertices.get(done[1] ?? '');
      return known?.export === true ? [{ service: known.service, activity: 'built' }] : [];
    }
    const error = vertexError.exec(line);
    if (error !== null) {
      const known = this.#vertices.get(error[1] ?? '');
      if (known === undefined) return [];
      this.#failures.push({
        service: known.service,
        step: known.step,
        error: error[2] ?? '',
        lastLines: [...(this.#output.get(error[1] ?? '') ?? [])],
      });
      return [{ service: known.service, activity: 'build-failed', step: known.step }];
    }
    return [];
  }

  /** `[api 2/3]`, `[api builder 2/5]`, `[api internal]`, `[api]`: the service, its stage and step number. */
  #readVertex(id: string, name: string, text: string): ComposeProgress[] {
    const [service = '', ...rest] = name.split(' ');
    if (service === 'internal') return [];
    const numbered = stepNumber.exec(rest.at(-1) ?? '');
    const stage = numbered === null ? rest[0] : rest.length > 1 ? rest[0] : undefined;
    const step: BuildStep = {
      index: numbered === null ? undefined : Number(numbered[1]),
      total: numbered === null ? undefined : Number(numbered[2]),
      // A named stage of a multi-stage build reads `(builder) RUN …`; `internal` steps read as they are.
      text: stage === undefined || stage === 'internal' ? text : `(${stage}) ${text}`,
    };
    this.#vertices.set(id, { service, step, export: rest.length === 0 && /^exporting\b/.test(text) });
    return [{ service, activity: 'building', step }];
  }

  #keep(vertex: string, text: string): void {
    const lines = this.#output.get(vertex) ?? [];
    lines.push(text);
    if (lines.length > keptLines) lines.shift();
    this.#output.set(vertex, lines);
  }
}

/** `step 3/7 RUN npm ci`, or the text of an unnumbered step. */
export function describeStep(step: BuildStep): string {
  return step.index === undefined ? step.text : `step ${step.index}/${step.total ?? '?'} ${step.text}`;
}

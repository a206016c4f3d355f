import { formatPath, type ConfigIssues, type ConfigPath } from './config-issues.js';
import {
  command,
  count,
  duration,
  environment,
  isMapping,
  nonEmptyString,
  optional,
  port,
  reader,
  readMapping,
  required,
  stringList,
  type Mapping,
  type Reader,
} from './config-values.js';
import { traefikRoleLabel } from '../dev-files/compose-model.js';
import { labelMap } from './compose-labels.js';
import { checkNetworks } from './validate-extra-services.js';
import type { AppService, BuildSpec, Healthcheck } from './stagecraft-config.js';

const appKeys = ['provider', 'image', 'build', 'command', 'workdir', 'env', 'port', 'healthcheck', 'volumes', 'compose'] as const;

/** The compose key each field of an app section writes: under `compose:`, each is given once or not at all. */
const composeKeyOf: Readonly<Record<string, string>> = {
  image: 'image',
  build: 'build',
  command: 'command',
  workdir: 'working_dir',
  env: 'environment',
  healthcheck: 'healthcheck',
  volumes: 'volumes',
};
const buildKeys = ['context', 'dockerfile'] as const;
const healthcheckKeys = ['test', 'interval', 'timeout', 'retries', 'start_period'] as const;

// `generic` runs any image or build as written; other providers may come later.
const provider: Reader<'generic'> = reader('generic (the only provider so far)', (v) => (v === 'generic' ? v : undefined));

const directory = reader('a directory, relative to stagecraft.yml', (v) => (typeof v === 'string' && v.trim() !== '' ? v : undefined));

/** `build: ./api` or `build: { context, dockerfile }`. */
const build: Reader<BuildSpec> = {
  expected: 'a directory, or a mapping with context and dockerfile',
  read(value, path, issues) {
    if (typeof value === 'string') {
      const context = directory.read(value, path, issues);
      return context === undefined ? undefined : { context, dockerfile: undefined };
    }
    const mapping = readMapping(value, path, issues, buildKeys);
    if (mapping === undefined) return undefined;
    const context = required(mapping, 'context', path, issues, directory);
    const dockerfile = optional(mapping, 'dockerfile', path, issues, nonEmptyString);
    return context === undefined ? undefined : { context, dockerfile };
  },
};

const healthcheckTestStarts = ['CMD', 'CMD-SHELL', 'NONE'];

const healthcheckTest: Reader<string | readonly string[]> = {
  expected: 'a shell command, or a list starting with CMD, CMD-SHELL or NONE',
  read(value, path, issues) {
    const test = command.read(value, path, issues);
    if (Array.isArray(test) && !healthcheckTestStarts.includes(test[0] as string)) {
      issues.add(path, `expected a list starting with CMD, CMD-SHELL or NONE, got one starting with ${JSON.stringify(test[0])}`);
      return undefined;
    }
    return test;
  },
};

const healthcheck: Reader<Healthcheck> = {
  expected: `a mapping with keys ${healthcheckKeys.join(', ')}`,
  read(value, path, issues) {
    const mapping = readMapping(value, path, issues, healthcheckKeys);
    if (mapping === undefined) return undefined;
    const test = required(mapping, 'test', path, issues, healthcheckTest);
    const rest = {
      interval: optional(mapping, 'interval', path, issues, duration),
      timeout: optional(mapping, 'timeout', path, issues, duration),
      retries: optional(mapping, 'retries', path, issues, count),
      startPeriod: optional(mapping, 'start_period', path, issues, duration),
    };
    return test === undefined ? undefined : { test, ...rest };
  },
};

/**
 * Checks `backend:` or `frontend:` at `path`. Returns the service with defaults
 * applied, or undefined when any of it is wrong (each problem is in `issues`).
 */
export function validateAppService(value: unknown, path: ConfigPath, issues: ConfigIssues): AppService | undefined {
  const before = issues.list.length;
  const mapping = readMapping(value, path, issues, appKeys);
  if (mapping === undefined) return undefined;
  const service = readFields(mapping, path, issues);
  const compose = service.compose;
  if (absent(mapping['image']) && absent(mapping['build']) && absent(compose['image']) && absent(compose['build'])) {
    issues.add(path, 'needs an image or a build; add `image: <name>` or `build: { context: <dir> }`');
  }
  return issues.list.length === before ? service : undefined;
}

function readFields(mapping: Mapping, path: ConfigPath, issues: ConfigIssues): AppService {
  return {
    provider: required(mapping, 'provider', path, issues, provider) ?? 'generic',
    image: optional(mapping, 'image', path, issues, nonEmptyString),
    build: optional(mapping, 'build', path, issues, build),
    command: optional(mapping, 'command', path, issues, command),
    workdir: optional(mapping, 'workdir', path, issues, absolutePath),
    env: optional(mapping, 'env', path, issues, environment) ?? {},
    port: required(mapping, 'port', path, issues, port) ?? 0,
    healthcheck: optional(mapping, 'healthcheck', path, issues, healthcheck),
    volumes: optional(mapping, 'volumes', path, issues, volumeList) ?? [],
    compose: readCompose(mapping, path, issues),
  };
}

/**
 * `compose:`: further compose keys, passed through. A key the section sets through its
 * own field is refused (it would be given twice), as is stagecraft's role label, and
 * every network but the project's own.
 */
function readCompose(mapping: Mapping, path: ConfigPath, issues: ConfigIssues): Mapping {
  const value = mapping['compose'];
  if (absent(value)) return {};
  const composePath = [...path, 'compose'];
  if (!isMapping(value)) {
    issues.expected(composePath, 'a mapping of further compose keys for this service', value);
    return {};
  }
  for (const [field, key] of Object.entries(composeKeyOf)) {
    if (!absent(mapping[field]) && !absent(value[key])) {
      issues.add([...composePath, key], `given twice, here and as ${formatPath([...path, field])}; keep one`);
    }
  }
  if (Object.hasOwn(labelMap(value['labels']), traefikRoleLabel)) {
    issues.add([...composePath, 'labels'], `${traefikRoleLabel} is stagecraft's own label (the role of the service); remove it`);
  }
  checkNetworks(value, composePath, issues);
  return value;
}


const absolutePath = {
  expected: 'an absolute path inside the container, such as /app',
  read(value: unknown, path: ConfigPath, issues: ConfigIssues) {
    if (typeof value === 'string' && value.startsWith('/')) return value;
    issues.expected(path, 'an absolute path inside the container, such as /app', value);
    return undefined;
  },
};

const volumeList: Reader<readonly string[]> = {
  expected: 'a list of volumes such as ./src:/app/src or data:/var/lib/data',
  read(value, path, issues) {
    const list = stringList.read(value, path, issues);
    list?.forEach((entry, index) => {
      if (entry.trim() === '' || entry.startsWith(':')) {
        issues.expected([...path, index], 'a volume such as ./src:/app/src or data:/var/lib/data', entry);
      }
    });
    return list;
  },
};

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

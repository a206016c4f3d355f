import type { ConfigIssues, ConfigPath } from './config-issues.js';
import { isMapping } from './config-values.js';
import type { ExtraService } from './stagecraft-config.js';

// Compose's own rule for service names.
const serviceNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Compose keys that name networks; every service is on the one project network. */
export function checkNetworks(service: Readonly<Record<string, unknown>>, path: ConfigPath, issues: ConfigIssues): void {
  const networks = service['networks'];
  if (networks === undefined || networks === null) return;
  const names = Array.isArray(networks) ? networks : isMapping(networks) ? Object.keys(networks) : [networks];
  if (names.some((name) => name !== 'default')) {
    issues.add(
      [...path, 'networks'],
      'expected only the project network `default` (stagecraft puts every service on it); remove the other networks',
    );
  }
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function checkService(name: string, value: unknown, path: ConfigPath, issues: ConfigIssues, reserved: readonly string[]): value is ExtraService {
  const before = issues.list.length;
  if (!serviceNamePattern.test(name)) {
    issues.add(path, 'expected a service name of letters, digits, "_", "." and "-", starting with a letter or digit');
  } else if (reserved.includes(name)) {
    issues.add(path, `the name ${name} is taken by the service stagecraft generates; rename this service`);
  }
  if (!isMapping(value)) {
    issues.expected(path, 'a compose service mapping', value);
    return false;
  }
  if (!present(value['image']) && !present(value['build'])) {
    issues.add(path, 'needs an image or a build; add `image: <name>` or `build: <dir>`');
  }
  checkNetworks(value, path, issues);
  return issues.list.length === before;
}

/**
 * Checks `services:`: extra compose services, passed through as written, none named
 * as one of `reserved` (the services stagecraft generates). Returns them sorted by
 * name, or undefined when any is wrong (each problem is in `issues`).
 */
export function validateExtraServices(
  value: unknown,
  path: ConfigPath,
  issues: ConfigIssues,
  reserved: readonly string[],
): Readonly<Record<string, ExtraService>> | undefined {
  if (!isMapping(value)) {
    issues.expected(path, 'a mapping of service names to compose services', value);
    return undefined;
  }
  const services: Record<string, ExtraService> = {};
  let valid = true;
  for (const name of Object.keys(value).sort()) {
    const service = value[name];
    if (checkService(name, service, [...path, name], issues, reserved)) services[name] = service;
    else valid = false;
  }
  return valid ? services : undefined;
}

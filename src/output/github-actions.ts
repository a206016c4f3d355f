// GitHub Actions workflow commands (GITHUB_ACTIONS=true): each phase of a session folded in
// a group, a failure as one error annotation. Escaping as the runner reads them:
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
import type { SessionFailure } from '../../machines/dev-session.types.js';

/** True on a GitHub Actions runner. */
export function onGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env['GITHUB_ACTIONS'] === 'true';
}

/** A command's message: `%`, CR and LF escaped (a newline in it is a line break in the annotation). */
export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A command's property value: its data escaping, and `:` and `,` too. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** `::group::title`: the lines after it fold under `title` until `::endgroup::`. */
export function groupLine(title: string): string {
  return `::group::${escapeData(title)}\n`;
}

export const endGroupLine = '::endgroup::\n';

/** `::error title=…::message`: one annotation on the run. */
export function errorLine(title: string, message: string): string {
  return `::error title=${escapeProperty(title)}::${escapeData(message)}\n`;
}

/** The title a failure's annotation gets: the service at fault and what it did, when known. */
function titleOf(failure: SessionFailure, projectName: string | undefined): string {
  const project = projectName === undefined ? 'the project' : `project ${projectName}`;
  switch (failure.kind) {
    case 'start-failed':
      return failure.services.length === 0
        ? `stagecraft dev: ${project} failed to start`
        : `stagecraft dev: ${failure.services.join(', ')} failed to start`;
    case 'services-failed':
      return `stagecraft dev: ${failure.services.map((s) => `${s.service} exited with code ${s.exitCode}`).join(', ')}`;
    case 'input':
      return 'stagecraft dev: invalid input';
    case 'locked':
      return `stagecraft dev: ${project} is held by another session`;
    default:
      return 'stagecraft dev failed';
  }
}

/** One `::error` annotation for `failure`, whose text is `message`. */
export function failureAnnotation(failure: SessionFailure, projectName: string | undefined, message: string): string {
  return errorLine(titleOf(failure, projectName), message);
}

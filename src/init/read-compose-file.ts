import { readFile, stat } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { maxComposeFileBytes } from '../dev-files/read-dev-files.js';
import { fsFailure } from '../util/fs-failure.js';
import { inputFailure } from '../util/input-failure.js';

/**
 * The parsed compose file at `absolutePath` (`file` names it in messages): YAML merge
 * keys and anchors resolved, as compose resolves them. Rejects with an `input` failure
 * (one sentence) when it cannot be read or is not YAML.
 */
export async function readComposeFile(absolutePath: string, file: string): Promise<unknown> {
  let text: string;
  try {
    if ((await stat(absolutePath)).size > maxComposeFileBytes) {
      throw inputFailure(`${file} is over ${maxComposeFileBytes / 1024 / 1024} MB; is it the right file?`);
    }
    text = await readFile(absolutePath, 'utf8');
  } catch (error) {
    throw fsFailure(error, 'read', file, 'run `stagecraft init` where compose can read it');
  }
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = error.linePos?.[0];
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw inputFailure(`${at === undefined ? file : `${file}:${at.line}:${at.col}`} is not valid YAML: ${message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw inputFailure(`${file} cannot be loaded: ${(cause as Error).message.split('\n')[0] ?? ''}`);
  }
}

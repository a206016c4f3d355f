import { isScalar, YAMLMap } from 'yaml';
import { yamlDocument, yamlText } from '../generate/to-yaml.js';

const commentWidth = 96;

/** `text` as lines of at most `commentWidth` characters, broken at spaces. */
export function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > commentWidth) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/**
 * The text of stagecraft.yml: `value` written as the generator writes YAML (strings a
 * YAML 1.1 reader would misread are quoted), `header` on top, and `comments[key]`
 * (wrapped) before each top-level key, with a blank line between sections.
 */
export function initYaml(value: Record<string, unknown>, header: readonly string[], comments: Readonly<Record<string, readonly string[]>>): string {
  const doc = yamlDocument(value);
  if (doc.contents instanceof YAMLMap) {
    doc.contents.items.forEach((pair, index) => {
      if (!isScalar(pair.key)) return;
      const lines = comments[String(pair.key.value)] ?? [];
      if (lines.length > 0) pair.key.commentBefore = lines.flatMap(wrap).map((line) => ` ${line}`).join('\n');
      // The header is followed by a blank line already.
      pair.key.spaceBefore = index > 0;
    });
  }
  return yamlText(doc, header);
}

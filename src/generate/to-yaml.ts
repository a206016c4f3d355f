import { Document, isScalar, parse, visit } from 'yaml';

// Output options that make the text a function of the value alone: no line folding
// (it depends on the width), no anchors for repeated objects.
const documentOptions = { aliasDuplicateObjects: false } as const;
const stringifyOptions = { indent: 2, lineWidth: 0, minContentWidth: 0 } as const;

// Plain scalars may start with some of these in YAML 1.2, but not every parser agrees.
const indicatorFirst = /^[:?,[\]{}#&*!|>'"%@`]/;

/** True when `text` written plainly would read back as something else under YAML 1.2 or 1.1, or in some parser. */
function ambiguous(text: string): boolean {
  if (indicatorFirst.test(text)) return true;
  for (const version of ['1.2', '1.1'] as const) {
    try {
      if (parse(text, { version }) !== text) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Deterministic YAML for a generated file: keys in the order the value has them,
 * `header` as `#` comment lines on top. Strings that a YAML 1.1 reader (or a 1.2
 * one) would take for a number, boolean, date or null are quoted, so every reader
 * gets the same text back. Same value, same bytes.
 */
export function toYaml(value: unknown, header: readonly string[]): string {
  return yamlText(yamlDocument(value), header);
}

/** The document `toYaml` writes for `value`, before its text: callers may add comments to its nodes. */
export function yamlDocument(value: unknown): Document {
  const doc = new Document(value, documentOptions);
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && ambiguous(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc;
}

/** The text of a document from `yamlDocument`, `header` as `#` comment lines on top. */
export function yamlText(doc: Document, header: readonly string[]): string {
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString(stringifyOptions);
}

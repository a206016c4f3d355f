// Reads `stagecraft dev plan` output back into argv, independently of src/util/shell-words.ts.

/** Splits one line of `stagecraft dev plan` output back into argv: POSIX single quotes and backslashes, as printed. */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === "'") quoted = false;
      else word += ch;
    } else if (ch === "'") {
      quoted = true;
      inWord = true;
    } else if (ch === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quoted) throw new Error(`unterminated quote in ${JSON.stringify(line)}`);
  if (inWord) words.push(word);
  return words;
}

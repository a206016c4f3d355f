// Splitting a command string into argv and quoting argv for display, without a shell.

const safeWord = /^[A-Za-z0-9_\-+=.,/:@%^]+$/;

/** Quotes one argument for a POSIX shell, so printed commands can be pasted as is. */
export function quoteArg(arg: string): string {
  if (safeWord.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Joins argv into one shell-quoted line (display only; nothing ever runs it through a shell). */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

/**
 * Splits a command string such as `docker --context "my box" compose` into argv.
 * Understands whitespace, single and double quotes and backslash escapes; no
 * expansion of any kind. Throws a `SyntaxError` (its message reads `an unterminated " quote`)
 * on an unterminated quote or a trailing backslash.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 === command.length) throw new SyntaxError('a trailing \\ that escapes nothing');
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new SyntaxError(`an unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

// Compose's own warnings (an unset variable, an optional dependency that failed), read from any
// compose command's stderr. Every command of a session re-reads compose.yaml and says the same
// thing again, so each distinct warning is passed on once (SPEC §5: "Compose's warnings are shown").

/** logrus's text form, off a terminal: `time="…" level=warning msg="The \"X\" variable is not set…"`. */
const textForm = /\blevel=warning\s+msg="((?:[^"\\]|\\.)*)"/;
/** logrus's terminal form: `WARN[0000] The "X" variable is not set…`. */
const terminalForm = /^\s*WARN\[\d+\]\s+(.*\S)/;

/** The warning a compose stderr line carries, if it is one. */
export function composeWarningOf(line: string): string | undefined {
  const text = textForm.exec(line);
  if (text?.[1] !== undefined) return text[1].replace(/\\(.)/g, '$1');
  return terminalForm.exec(line)?.[1];
}

/** Remembers the warnings seen: `fresh` is true the first time a message comes. */
export class ComposeWarnings {
  readonly #seen = new Set<string>();

  /** The line's warning if it is one not seen before; else undefined. */
  fresh(line: string): string | undefined {
    const warning = composeWarningOf(line);
    if (warning === undefined || this.#seen.has(warning)) return undefined;
    this.#seen.add(warning);
    return warning;
  }
}

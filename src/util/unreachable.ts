/** Marks the end of an exhaustive switch: a new case that is not handled fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

/**
 * Renderers write their text piece by piece to an {@link Emit}: a file written as it goes
 * (the CLI: a 100,000-commit report is 50-125 MB per format, and holding its lines and then
 * their join would double that), or an array joined once (`collect`).
 */
export type Emit = (text: string) => void;

/** A `push` like an array's whose lines reach `emit` as `lines.join(sep)` would have them. */
export function lineWriter(emit: Emit, sep: string): { push(...lines: string[]): void } {
  let first = true;
  return {
    push(...lines) {
      for (const line of lines) {
        emit(first ? line : sep + line);
        first = false;
      }
    },
  };
}

/** A renderer's whole text as one string. */
export function collect(render: (emit: Emit) => void): string {
  const parts: string[] = [];
  render((text) => parts.push(text));
  return parts.join('');
}

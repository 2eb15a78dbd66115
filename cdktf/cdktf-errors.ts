/** Stable error codes of the CDKTF adapter. */
export const CDKTF_ERROR_CODES = {
  /** Neither engine could be determined for a construct (both installed, no App above it). */
  ENGINE_UNKNOWN: 'CDKTF_ENGINE_UNKNOWN',
  /** The engine the app uses, or its AWS provider package, is not installed. */
  ENGINE_MISSING: 'CDKTF_ENGINE_MISSING',
  /** A construct needs a Workspace, stack or component and none was given or set on the tree. */
  CONTEXT_MISSING: 'CDKTF_CONTEXT_MISSING',
  /** `infrakeyContext` was given a value of the wrong type. */
  CONTEXT_INVALID: 'CDKTF_CONTEXT_INVALID',
  /** `mode: 'assume-role'` for an identity Terraform cannot reach that way. */
  /** The identity does not produce AWS shared credential files. */
  /** A declared secret's `path` cannot be expressed in Terraform. */
  PATH_UNSUPPORTED: 'CDKTF_PATH_UNSUPPORTED',
  /** Two DeclaredSecrets in one stack need the same Terraform variable for different secrets. */
  VARIABLE_CONFLICT: 'CDKTF_VARIABLE_CONFLICT',
  /** A declared secret's name is not a valid Terraform variable name. */
  VARIABLE_NAME_INVALID: 'CDKTF_VARIABLE_NAME_INVALID',
  /** A value resolved through infrakey (registered with the Redactor) is in the synthesized JSON. */
  SECRET_IN_SYNTH: 'CDKTF_SECRET_IN_SYNTH',
  /** An ephemeral DeclaredSecret's value flows into an argument that is not write-only, or an output. */
  EPHEMERAL_FLOW: 'CDKTF_EPHEMERAL_FLOW',
} as const;

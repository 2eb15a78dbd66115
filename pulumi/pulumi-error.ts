import * as pulumi from '@pulumi/pulumi';
import { InfrakeyError, redactor } from '../core/index';

/**
 * The error a Pulumi program sees when infrakey fails: a {@link pulumi.RunError}, which Pulumi
 * prints as a message without a stack trace. It keeps the core error's stable `code`, `where` and
 * `fix`, and its text passes through the Redactor, so no registered value can appear in it.
 */
export class InfrakeyPulumiError extends pulumi.RunError {
  /** The core error's stable code (e.g. `SECRET_NOT_DECLARED`), or `PULUMI_ADAPTER_FAILED`. */
  readonly code: string;
  /** file:line or config path, when the core error named one. */
  readonly where?: string;
  /** The fix, when the core error named one. */
  readonly fix?: string;

  constructor(subject: string, cause: unknown) {
    const text = cause instanceof Error ? cause.message : 'unknown failure';
    super(redactor.maskMessage(`infrakey: ${subject}: ${text}`));
    this.name = 'InfrakeyPulumiError';
    this.code = cause instanceof InfrakeyError ? cause.code : 'PULUMI_ADAPTER_FAILED';
    if (cause instanceof InfrakeyError) {
      if (cause.where !== undefined) this.where = cause.where;
      if (cause.fix !== undefined) this.fix = redactor.maskMessage(cause.fix);
    }
  }
}

/** Wraps any failure as an {@link InfrakeyPulumiError} about `subject` (e.g. `getSecret("DB")`). */
export function pulumiError(subject: string, cause: unknown): InfrakeyPulumiError {
  return cause instanceof InfrakeyPulumiError ? cause : new InfrakeyPulumiError(subject, cause);
}

/**
 * A secret declared in the Atmos stack configuration (`secrets.vars`), consumed by a CDKTF stack
 * without its plaintext ever entering the program or `cdk.tf.json`:
 * - SSM-backed: a `aws_ssm_parameter` data source on the store's exact parameter name, decrypted;
 * - Secrets Manager-backed: a `aws_secretsmanager_secret_version` data source;
 * - Azure Key Vault-backed: `azurerm_key_vault_secret` (when the store sets `options.key_vault_id`,
 *   the vault's ARM id Terraform needs); Google Secret Manager-backed:
 *   `google_secret_manager_secret_version` in the store's `project_id`;
 * - anything else (SOPS, Redis, keychain, Vault, ...): a `sensitive` Terraform variable named
 *   after the declaration, filled at plan/apply time by
 *   `infrakey secret exec -s S -c C --tf-vars -- terraform apply` (`TF_VAR_<name>`).
 * With `ephemeral: true` the same become an `ephemeral` block or an ephemeral variable, which
 * keep the value out of plan and state files (see `ephemeral.ts`).
 */
import { Construct, type IConstruct } from 'constructs';
import type { TerraformProvider, TerraformVariable } from 'cdktf';
import { describeSecretStorage, UsageError, type SecretStorage, type Workspace } from '../core/internal';
import { CDKTF_ERROR_CODES } from './cdktf-errors';
import { engineOf } from './engine';
import { guardEphemeralFlow } from './ephemeral';
import { requireContext, workspaceAt } from './infrakey-context';
import { STORE_DATA_SOURCES, type DeclaredSecretSource } from './store-data-sources';
import { pathSegments, valueExpression } from './value-expression';

/** Props of {@link DeclaredSecret}. */
export interface DeclaredSecretProps {
  /** The declared name (the key under the component's `secrets.vars`). */
  readonly name: string;
  /** Atmos stack; default: {@link infrakeyContext} / `infrakey:stack` context. */
  readonly stack?: string;
  /** Atmos component; default: {@link infrakeyContext} / `infrakey:component` context. */
  readonly component?: string;
  /** Like `!secret NAME | path .a.b[0]`: select inside a JSON value (evaluated by Terraform). */
  readonly path?: string;
  /** The loaded project; default: {@link infrakeyContext}, else the app's working directory's project. */
  readonly workspace?: Workspace;
  /**
   * The AWS provider the data source uses (an `IdentityAwsProvider`'s `.provider`, or any
   * `AwsProvider`); default: the stack's default `aws` provider.
   */
  readonly provider?: IConstruct;
  /**
   * Keep the value out of plan and state files: `ephemeral "aws_ssm_parameter"` /
   * `ephemeral "aws_secretsmanager_secret_version"` for store-backed secrets,
   * `variable { ephemeral = true, sensitive = true }` for the rest. Use `.value` only in write-only
   * arguments (`*_wo`), provider blocks, provisioners or other ephemeral resources; anything else
   * fails synthesis (`CDKTF_EPHEMERAL_FLOW`). Needs Terraform ≥ 1.11 or OpenTofu ≥ 1.11 and
   * hashicorp/aws ≥ 6. Default false.
   */
  readonly ephemeral?: boolean;
}

export type { DeclaredSecretSource };

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
// Terraform reserves these as variable names.
const RESERVED = new Set(['source', 'version', 'providers', 'count', 'for_each', 'lifecycle', 'depends_on', 'locals']);
const variablesByStack = new WeakMap<IConstruct, Map<string, { key: string; variable: TerraformVariable }>>();

/**
 * A declared secret as a Terraform reference. `.value` is a string token: use it in resource
 * attributes. **Mark every `TerraformOutput` that uses it `sensitive: true`**, as for any secret.
 * Terraform state still holds what data sources read: use an encrypted state backend.
 */
export class DeclaredSecret extends Construct {
  /** A token for the value, resolved by Terraform at plan/apply time. */
  readonly value: string;
  /** How Terraform reads it. */
  readonly source: DeclaredSecretSource;
  /** Where the secret lives (backend, exact key path); never the value. */
  readonly storage: SecretStorage;
  /** The Terraform variable's name when `source` is `variable` (fill it with `TF_VAR_<name>`). */
  readonly variableName?: string;
  /** The data source or variable construct (this construct for an ephemeral block, which is a stack override). */
  readonly element: IConstruct;
  /** True in ephemeral mode: the value stays out of plan and state files. */
  readonly ephemeral: boolean;

  constructor(scope: Construct, id: string, props: DeclaredSecretProps) {
    super(scope, id);
    const engine = engineOf(this);
    const workspace = workspaceAt(this, props.workspace);
    const stack = requireContext(this, 'stack', props.stack, `DeclaredSecret ${JSON.stringify(props.name)}`);
    const component = requireContext(this, 'component', props.component, `DeclaredSecret ${JSON.stringify(props.name)}`);
    const storage = describeSecretStorage(workspace, props.name, { stack, component });
    const segments = pathSegments(props.path, this, props.name);
    this.storage = storage;
    // Both engines' provider classes are nominal types; the engine checks the object at synth.
    const provider = props.provider as TerraformProvider | undefined;
    this.ephemeral = props.ephemeral === true;
    // Kinds Terraform can read itself have a data source (an ephemeral resource in ephemeral mode);
    // the rest are sensitive variables.
    const known = storage.track === 'store' ? STORE_DATA_SOURCES[storage.kind] : undefined;
    const dataSource = storage.track === 'store' && known && (known.applies?.(storage) ?? true) ? known : undefined;
    if (storage.track === 'store' && dataSource) {
      const read = this.ephemeral ? { element: this, text: dataSource.ephemeral(this, storage, engine, provider) } : dataSource.create(this, storage, engine, provider);
      this.source = dataSource.source;
      this.element = read.element;
      this.value = valueExpression(engine.lib, read.text, storage.encoding, segments);
    } else {
      const variable = this.variable(engine.lib, storage, stack, component);
      this.source = 'variable';
      this.variableName = storage.name;
      this.element = variable;
      // `secret exec --tf-vars` exports strings raw and everything else as JSON.
      this.value = segments.length > 0 ? valueExpression(engine.lib, variable.stringValue, 'json-or-raw', segments) : variable.stringValue;
    }
  }

  /** One sensitive variable per declaration and stack, shared by DeclaredSecrets of the same secret. */
  private variable(lib: ReturnType<typeof engineOf>['lib'], storage: SecretStorage, stack: string, component: string): TerraformVariable {
    const name = storage.name;
    if (!VARIABLE_NAME.test(name) || RESERVED.has(name)) {
      throw new UsageError({
        code: CDKTF_ERROR_CODES.VARIABLE_NAME_INVALID,
        message: `secret ${JSON.stringify(name)} cannot be a Terraform variable name`,
        where: storage.where ?? this.node.path,
        fix: 'rename the declaration to letters, digits, `_` and `-`, starting with a letter or `_` (and not a reserved name such as `count` or `source`)',
      });
    }
    const tfStack = lib.TerraformStack.of(this);
    let vars = variablesByStack.get(tfStack);
    if (!vars) variablesByStack.set(tfStack, (vars = new Map()));
    const backend = storage.track === 'sops' ? `sops ${storage.provider}` : `store ${storage.store}`;
    const key = `${this.ephemeral ? 'ephemeral ' : ''}${backend}\u0000${storage.coordinate.stack}\u0000${storage.coordinate.component}\u0000${storage.coordinate.key}`;
    const existing = vars.get(name);
    if (existing) {
      if (existing.key === key) return existing.variable;
      throw new UsageError({
        code: CDKTF_ERROR_CODES.VARIABLE_CONFLICT,
        message: `Terraform variable "${name}" of stack "${tfStack.node.path}" already stands for a different secret "${name}" (another Atmos stack, component or backend, or the other of ephemeral and not)`,
        where: this.node.path,
        fix: 'use one (stack, component) per CDKTF stack for variable-backed secrets, or give the declarations different names',
      });
    }
    const variable = new lib.TerraformVariable(this, 'Variable', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `infrakey secret ${name} (${backend}); set it with: infrakey secret exec -s ${stack} -c ${component} --tf-vars -- terraform apply`,
    });
    variable.overrideLogicalId(name);
    if (this.ephemeral) {
      // Neither engine's TerraformVariable has the argument yet.
      variable.addOverride('ephemeral', true);
      guardEphemeralFlow(lib, tfStack);
    }
    vars.set(name, { key, variable });
    return variable;
  }
}

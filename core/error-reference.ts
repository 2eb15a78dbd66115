/**
 * The error reference: every stable error `code` that infrakey raises, grouped, with what it means
 * for the user. docs/errors.md is generated from this list (`npm run docs:errors`), and
 * test/unit/architecture/error-codes-documented.test.ts checks that the file is up to date, that
 * every code raised anywhere in the source is listed here, and that every code listed here is still
 * raised. To add a code: add its row here, then run `npm run docs:errors`.
 *
 * Kept free of imports so that the generator can load it on its own.
 */

/** One group of codes in the reference, with each code's meaning (Markdown). */
export interface ErrorCodeGroup {
  readonly title: string;
  readonly codes: Readonly<Record<string, string>>;
}

/** Every code, by group, in the order the reference shows them. */
export const ERROR_REFERENCE: readonly ErrorCodeGroup[] = [
  {
    title: 'Configuration and YAML',
    codes: {
      CONFIG_NOT_FOUND: 'no atmos.yaml found; says where it looked and how to point at one (`--config`, `ATMOS_CLI_CONFIG_PATH`)',
      CONFIG_INVALID: 'atmos.yaml breaks the schema; lists every problem with `atmos.yaml:LINE` and config path',
      CONFIG_PROFILE_NOT_FOUND: 'unknown `--profile`/`ATMOS_PROFILE`; lists the available profiles',
      CONFIG_IMPORT_NOT_FOUND: 'an atmos.yaml `import:` names no file',
      CONFIG_IMPORT_REMOTE: 'a remote atmos.yaml import (go-getter) — not supported',
      CONFIG_LIST_MERGE_STRATEGY: 'unknown `settings.list_merge_strategy` (use replace, append or merge)',
      YAML_PARSE: 'malformed YAML, with file:line:col and the parser\'s reason',
      YAML_UNKNOWN_TAG: 'an unknown `!tag`; lists the supported tags',
      YAML_FILE_NOT_FOUND: 'a YAML file to load does not exist',
      YAML_READ: 'a YAML file cannot be read',
      YAML_INCLUDE_NOT_FOUND: '`!include` names no file; shows where it looked',
      YAML_INCLUDE_CYCLE: '`!include` files include each other',
      YAML_INCLUDE_REMOTE: 'remote `!include` — not supported',
      YAML_FUNCTION_ARGS: 'bad arguments to `!secret`/`!store`/`!env`/…; shows the expected syntax',
      YAML_FUNCTION_FAILED: 'a YAML function failed; wraps the cause with its file:line',
      YAML_FUNCTION_UNSUPPORTED: 'a YAML function nobody can evaluate in this context',
      YAML_EXEC_FAILED: '`!exec` exited non-zero or ran past its time limit',
      YAML_QUERY_SYNTAX: 'a bad `| query`/`| path` expression',
      YAML_QUERY_MISSING: 'a `| query`/`| path` segment leads nowhere',
    },
  },
  {
    title: 'Stacks',
    codes: {
      STACK_BASE_PATH_MISSING: '`stacks.base_path` does not exist',
      STACK_MANIFEST_INVALID: 'a stack manifest section has the wrong shape',
      STACK_IMPORT_NOT_FOUND: 'an `import:` names no file; shows the candidates tried',
      STACK_IMPORT_CYCLE: 'imports form a cycle; names the chain of files',
      STACK_IMPORT_INVALID: 'a malformed `import:` entry',
      STACK_IMPORT_REMOTE: 'a remote import (go-getter) — not supported',
      STACK_TEMPLATE_UNSUPPORTED: 'a Go template feature beyond the `{{ .x }}` subset',
      STACK_TEMPLATE_MISSING_VALUE: 'a template names a value that is not defined',
      STACK_NAME_MISSING_VALUE: '`name_pattern`/`name_template` needs a var the manifest lacks',
      STACK_NAME_EMPTY: 'a stack name renders empty',
      STACK_NAME_DUPLICATE: 'two manifests yield the same stack name; names both files',
      STACK_INHERITS_MISSING: '`metadata.inherits` names a component the stack does not define',
      STACK_INHERITS_CYCLE: 'components inherit from each other',
      STACK_INHERITS_INVALID: 'a malformed `metadata.inherits`',
      STACK_NOT_FOUND: 'unknown stack (`-s`); lists the known ones',
      STACK_COMPONENT_NOT_FOUND: 'the component is not in that stack',
      STACK_COMPONENT_AMBIGUOUS: 'the name exists under several component types (use `--type`)',
      STACK_COMPONENT_ABSTRACT: 'an abstract component cannot be described or deployed',
      STACK_SECRETS_INVALID: 'a malformed `secrets:` section',
      STACK_SECRET_SCOPE_CONFLICT: 'an explicit `scope:` contradicts the declaration\'s position',
      STACK_VALIDATION_FAILED: '`validate stacks` found problems (all listed)',
    },
  },
  {
    title: 'Auth',
    codes: {
      AUTH_CONFIG_INVALID: 'wrong type in `auth:`; also carries the problem list of `auth validate`',
      AUTH_KIND_UNKNOWN: 'a provider/identity kind Atmos does not know',
      AUTH_KIND_UNSUPPORTED: 'a kind Atmos knows that infrakey does not implement yet',
      AUTH_FIELD_MISSING: 'a field the kind needs (`principal.assume_role`, `start_url`, …)',
      AUTH_VIA_INVALID: '`via` missing, or names both a provider and an identity',
      AUTH_VIA_UNKNOWN: '`via` names nothing configured',
      AUTH_CYCLE: 'identities reach each other; the message lists the cycle',
      AUTH_NAME_COLLISION: 'two names differ only by case',
      AUTH_NAME_INVALID: 'a provider or identity name has a path separator, `..`, a control character or a bracket (it would escape the realm folder or inject an INI section)',
      AUTH_DEFAULT_MULTIPLE: 'several identities have `default: true`',
      AUTH_NO_DEFAULT: 'no identity given and none is default',
      AUTH_DEFAULT_IDENTITY_UNDEFINED: 'a stack\'s `auth` names a default identity atmos.yaml does not define',
      AUTH_IDENTITY_NOT_FOUND: 'unknown identity name',
      AUTH_REALM_INVALID: '`ATMOS_AUTH_REALM`/`auth.realm` breaks the realm rules (`/`, `..`, characters, length)',
      AUTH_DISABLED: 'an `auth` verb with `--identity=false`/`ATMOS_IDENTITY=off`',
      AUTH_CREDENTIALS_EXPIRED: 'base credentials expired or revoked; says to run `infrakey auth login --identity X`',
      AUTH_USER_NOT_CONFIGURED: 'aws/user without keys inline or in the keyring',
      AUTH_PROMPT_REQUIRES_TTY: 'an MFA code is needed but there is no terminal',
      AUTH_KEYRING_FAILED: 'the keyring failed for a reason other than "not found"',
      AUTH_STS_FAILED: 'STS refused the request',
      AUTH_SSO_FAILED: 'device login denied or expired, or the portal refused',
      AUTH_OIDC_FAILED: 'the GitHub Actions token is unavailable',
      AUTH_TIMEOUT: 'an auth endpoint did not answer in time',
      AUTH_FILE_LOCK_TIMEOUT: 'another live process held the credential files\' lock for the whole wait (15 s; a lock not refreshed for 10 s is taken over, so a killed login never causes this)',
      AUTH_FILES_NO_SPACE: 'the disk or quota is full while writing the credential files',
      AUTH_FILES_PERMISSION: 'permission denied or read-only file system at the credential files; says which folder to fix',
      AUTH_FILES_NOT_A_FILE: 'a folder stands where a credential file should be (or a file where a folder of its path should be)',
      AUTH_FILES_FAILED: 'another file-system failure at the credential files or their lock',
      AUTH_FILES_INSECURE: 'a credential file others can read (mode looser than 0600), or a file or folder another user owns or can write: refused, as ssh does; says the `chmod` to run',
      AUTH_CONSOLE_FAILED: 'no console sign-in token',
      AUTH_EXEC_CHILD_FAILED: '`auth exec`\'s command exited non-zero (its exit code is kept)',
      AUTH_ASSUME_ROLE_PLAN: 'CDKTF `mode: assume-role` but the chain has no role hop, or its base has no session in the files',
      AUTH_USER_NO_IDENTITIES: 'no aws/user identity is configured',
      AUTH_USER_IDENTITY_NOT_FOUND: '`auth user` names an unknown identity',
      AUTH_USER_WRONG_KIND: 'the identity is not aws/user',
      AUTH_USER_IDENTITY_REQUIRED: 'several aws/user identities, no `--identity`, no terminal',
      AUTH_USER_INPUT_REQUIRED: 'no terminal and no keys from flags, stdin or `AWS_*` variables',
      AUTH_USER_INPUT_INVALID: 'malformed key ID, secret, MFA ARN or duration (field named, never the value)',
      AUTH_USER_STDIN_FAILED: '`--secret-access-key-stdin` with a terminal, empty stdin, or no line within 30 s',
      AUTH_USER_YAML_CREDENTIALS: 'atmos.yaml already sets the keys inline (they would shadow the keyring; use `migrate`)',
      AUTH_USER_KEYRING_VERIFY_FAILED: 'the keyring entry read back differs from the one written',
      AUTH_USER_MIGRATE_REFUSED: 'migration refused, nothing changed; lists each problem with file:line',
      AUTH_USER_MIGRATE_INCOMPLETE: 'an identity has only one of the two inline keys',
      AUTH_USER_MIGRATE_UNSUPPORTED: 'inline keys behind an alias/anchor/merge, or a value repeated elsewhere in the file',
      AUTH_USER_MIGRATE_NO_FILE: 'no readable atmos.yaml to migrate',
      AUTH_USER_MIGRATE_VERIFY_FAILED: 'the edited file did not read back as expected (file untouched)',
      AUTH_USER_MIGRATE_CONFLICT: 'the file changed during migration (file untouched)',
      AUTH_USER_MIGRATE_WRITE_FAILED: 'the file could not be written (file intact)',
    },
  },
  {
    title: 'File locks',
    codes: {
      FILE_LOCK_TIMEOUT: 'another process held a file lock for the whole wait; the message states the real wait (a lock not refreshed for the stale threshold is taken over, not reported)',
      FILE_LOCK_LOST: 'a lock was taken over while this process held it (it stalled past the stale threshold); retry',
      FILE_LOCK_FAILED: 'the lock folder cannot be created (missing folder, permissions, disk full)',
    },
  },
  {
    title: 'Keyrings',
    codes: {
      KEYRING_UNAVAILABLE: 'system keyring unreachable, locked or timed out (≤ 3 s), or the keyring folder is unusable; says to unlock or set `ATMOS_KEYRING_TYPE=file`',
      KEYRING_PASSWORD_REQUIRED: 'file keyring, no password variable, no terminal; names the variable to set',
      KEYRING_PASSWORD_TOO_SHORT: 'file keyring password under 8 characters',
      KEYRING_PASSWORD_MISMATCH: 'creating a file keyring: the new passphrase and its repetition differed 3 times',
      KEYRING_PASSWORD_INVALID: 'wrong file keyring password',
      KEYRING_CORRUPT: 'unreadable or tampered entry (named by key and path, never its value)',
      KEYRING_LOCK_TIMEOUT: 'another writer held the keyring folder lock for the whole wait (15 s; a lock not refreshed for 5 s is taken over), or took it over from a stalled process',
      KEYRING_LIST_UNSUPPORTED: '`list()` on the system keyring',
      KEYRING_CONFIG_INVALID: 'unknown `auth.keyring.type` or `fallback`',
      KEYRING_VALUE_INVALID: 'a non-string value passed to `set`',
      CREDENTIAL_TYPE_UNKNOWN: 'a keyring credential envelope of unknown `type`',
      CREDENTIAL_TYPE_UNSUPPORTED: 'a credential type infrakey does not use',
      CREDENTIAL_TYPE_MISMATCH: 'the entry holds another type than the identity needs',
    },
  },
  {
    title: 'Stores',
    codes: {
      STORES_INVALID: 'several problems in `stores:`, listed together',
      STORE_NOT_CONFIGURED: 'unknown store name; lists the configured ones',
      STORE_KIND_UNKNOWN: 'unknown store `kind`/`type`',
      STORE_KIND_UNSUPPORTED: 'a kind Atmos knows that infrakey does not implement yet (vault, azure, gcp, 1password, artifactory, github)',
      STORE_CANNOT_BE_SECRET: '`secret: true` on redis or artifactory (they do not encrypt at rest)',
      STORE_IS_SECRET: '`!store`/`!store.get` on a secret store: use `!secret`',
      STORE_KEY_NOT_FOUND: 'no value at that key; names the store and the full key path',
      STORE_KEY_INVALID: 'an empty key, or empty stack/component where the backend needs them',
      STORE_VALUE_INVALID: 'a value JSON cannot encode',
      STORE_VALUE_TOO_LARGE: 'the encoded value is larger than the backend accepts (SSM 4 KiB, 8 KiB with `tier: Advanced`; Secrets Manager 64 KiB; Redis 512 MiB); gives the sizes, never the value',
      STORE_UNREACHABLE: 'connection refused or timed out; names the endpoint',
      STORE_OPTION_INVALID: 'bad store options (e.g. `region is required in ssm store configuration`)',
      STORE_UNSUPPORTED: 'an operation the backend cannot do (e.g. `delete` on a store kind without it)',
      STORE_ACCESS_DENIED: 'the backend refused access',
      STORE_AUTH_FAILED: 'the store\'s identity could not authenticate',
      STORE_REQUEST_FAILED: 'any other backend failure (error name and HTTP status only)',
    },
  },
  {
    title: 'Secrets',
    codes: {
      SECRET_BACKEND_AMBIGUOUS: 'a declaration sets both `store` and `sops`',
      SECRET_NO_BACKEND: 'a declaration sets neither (or is not a map)',
      SECRET_DECLARATION_INVALID: 'unknown field, wrong type or unknown scope in a declaration',
      SECRET_NAME_INVALID: 'a declared name is not a valid environment variable name (`A=B`, `1X`, `db-password`); the fix suggests one',
      SECRET_NAME_UNSAFE: 'a declared name that changes how child processes load or run (`LD_*`, `DYLD_*`, `PATH`, `NODE_OPTIONS`, …); allow it by name with `INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES`',
      SECRET_STORE_UNKNOWN: 'the declaration names a store that is not configured',
      SECRET_STORE_NOT_SECRET: 'the declaration\'s store is not `secret: true`',
      SECRET_PROVIDER_UNKNOWN: 'the declaration names a SOPS provider that is not configured',
      SECRET_PROVIDER_UNSUPPORTED: 'a `secrets.providers` kind other than `sops/age`/`sops/aws-kms`',
      SECRET_SCOPE_CONFLICT: 'an explicit `scope:` contradicts the declaration\'s position',
      SECRET_SCOPE_UNSUPPORTED: 'a scope the backend cannot hold (SOPS global, a store that needs stack and component)',
      SECRET_NOT_DECLARED: '`!secret`/`secret get` of a name the component does not declare',
      SECRET_NOT_INITIALIZED: 'declared, but the backend has no value (use `secret set`)',
      SECRET_PATH_NOT_JSON: '`| path` into a value that is not a JSON map or list',
      SECRET_PATH_MISSING: '`| path` leads nowhere',
      SECRET_VALIDATION_FAILED: '`secret validate` found missing required secrets (all listed)',
      SECRET_VALUE_MISSING: '`secret set` got no value',
      SECRET_VALUE_TOO_LARGE: 'the value is larger than its backend accepts (SSM 4,096 bytes, Secrets Manager 65,536, others 1 MiB); names the secret and the sizes, never the value',
      SECRET_IMPORT_FILE_UNREADABLE: '`secret import FILE`: the file cannot be read (exit 2)',
      SECRET_IMPORT_FILE_INVALID: '`secret import FILE`: not a JSON object of `NAME: value` (the message gives a position, never the content)',
      SECRET_KEYGEN_FAILED: '`secret keygen` cannot pick or use a provider',
      SECRET_BACKEND_FAILED: 'any other backend failure',
    },
  },
  {
    title: 'SOPS',
    codes: {
      SOPS_MAC_MISMATCH: 'a value, key name, MAC or `lastmodified` of the SOPS file was altered',
      SOPS_DECRYPT_FAILED: 'no key opens the file; names its recipients (age, KMS ARNs) and where keys were looked for',
      SOPS_ENCRYPT_FAILED: 'KMS refused to wrap a new data key',
      SOPS_NO_RECIPIENTS: 'no recipients for a new file (`age_recipients` or a `.sops.yaml` rule)',
      SOPS_RECIPIENT_INVALID: 'a recipient is not a valid age key or KMS ARN',
      SOPS_AGE_KEY_MISSING: 'no age key found; names the file, variable or store looked at (for an existing file also its recipients, without advising keygen)',
      SOPS_AGE_KEY_INVALID: 'bad age key material; names the source and line',
      SOPS_PATH_TEMPLATE: 'unknown field or unsupported expression in `spec.file`, or a stack/component name (with `..`) that moves the rendered file out of the template\'s folder',
      SOPS_FILE_NOT_FOUND: 'the SOPS file does not exist',
      SOPS_FORMAT_INVALID: 'bad SOPS file syntax (position only) or missing metadata, or an `encrypted_regex`/`unencrypted_regex` that is not a Go (RE2) regular expression',
      SOPS_FORMAT_UNSUPPORTED: 'multi-document YAML, Shamir key groups, comment rules, nested dotenv, unknown extension',
      SOPS_KEY_PATH_INVALID: 'the reserved `sops` key, a bad dotenv key, a path that does not fit the document',
      SOPS_CONFIG_INVALID: '`.sops.yaml` cannot be parsed, or a rule\'s `path_regex` is not a Go (RE2) regular expression (names the rule)',
      SOPS_WRITE_FAILED: 'the SOPS file or its folder cannot be written',
      SOPS_LOCK_TIMEOUT: 'another process held the SOPS file\'s lock (`.<file>.lock` next to it) for the whole wait (15 s; a lock not refreshed for 10 s is taken over), or took it over from a stalled writer',
    },
  },
  {
    title: 'Pulumi and CDKTF',
    codes: {
      PULUMI_ADAPTER_FAILED: 'a Pulumi adapter failure whose cause is not an infrakey error',
      CDKTF_ENGINE_UNKNOWN: 'no cdktf/cdktn engine found above the construct while both are installed',
      CDKTF_ENGINE_MISSING: 'the app\'s engine or its AWS provider package is not installed',
      CDKTF_CONTEXT_MISSING: 'no stack or component given or set (`infrakeyContext`, cdktf.json context)',
      CDKTF_CONTEXT_INVALID: 'a bad value passed to `infrakeyContext`',
      CDKTF_PATH_UNSUPPORTED: 'a negative index in `path`',
      CDKTF_VARIABLE_CONFLICT: 'two secrets need the same variable name in one stack',
      CDKTF_VARIABLE_NAME_INVALID: 'the declaration name is not a valid Terraform variable name',
      CDKTF_EPHEMERAL_FLOW: 'an ephemeral DeclaredSecret\'s value flows into an argument that is not write-only, or into an output; names the construct and the attribute',
      CDKTF_SECRET_IN_SYNTH: 'a registered secret value would be written to `cdk.tf.json`; names the construct and attribute',
    },
  },
  {
    title: 'Command line',
    codes: {
      EXEC_CHILD_FAILED: '`secret exec`/`shell` child exited non-zero (its exit code is kept, as Atmos)',
      EXEC_FAILED: '`secret exec` could not start the command (exit 2)',
      EXEC_ENV_INVALID: 'a variable for the child (a secret\'s value) holds a NUL byte, which no program can receive; names the variable only',
      USAGE_BOOLEAN: 'a boolean flag got something other than true/false (exit 2)',
      USAGE_FORMAT: 'unsupported `--format` for this command (exit 2)',
      USAGE_STACK_REQUIRED: '`-s/--stack` missing (exit 2)',
      USAGE_COMPONENT_REQUIRED: '`-c/--component` missing (exit 2)',
      USAGE_COMMAND_REQUIRED: 'no command after `--` (exit 2)',
      USAGE_NO_COMMAND: 'no command after `--` for `auth exec` (exit 2)',
      USAGE_COMMAND_NOT_FOUND: '`auth exec` could not start the command (exit 2)',
      USAGE_CONFIRM: '`secret delete` without a terminal needs `--force` (exit 2)',
      USAGE_CONFLICT: 'mutually exclusive flags (exit 2)',
      USAGE_GITHUB_ENV: '`--format=github` without `GITHUB_ENV` or `--output-file` (exit 2)',
      USAGE_RAW_FORMAT: '`--raw` with `--format=json|env` (exit 2)',
      USAGE_STDIN_TIMEOUT: 'no value arrived on stdin in time (exit 2)',
      USAGE_VALUE_FILE_UNREADABLE: '`secret set --file` cannot read the file (exit 2)',
      USAGE_TTY_OUTPUT: '`auth credentials` refuses to print keys to a terminal (exit 2)',
      INTERNAL: 'an unexpected error; `--debug` prints the stack trace',
    },
  },
];

const INTRO = `# Error codes

<!-- Generated from core/error-reference.ts by \`npm run docs:errors\`: edit that file, not this one. -->

Every failure is an \`InfrakeyError\` (\`ConfigError\`, \`StackError\`, \`DeclarationError\`, \`AuthError\`,
\`StoreError\`, \`KeyringError\`, \`LeakError\`, \`UsageError\`) with one of these stable \`code\`s. The CLI prints
\`error [CODE]: where: what\` and a \`fix:\` line, exits 1 (2 for usage), and never prints a value.
`;

/** docs/errors.md, as Markdown. */
export function renderErrorReference(): string {
  const rows = ERROR_REFERENCE.flatMap((g) => [`| **${g.title}** | |`, ...Object.entries(g.codes).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`)]);
  return `${INTRO}\n| code | meaning |\n|---|---|\n${rows.join('\n')}\n`;
}

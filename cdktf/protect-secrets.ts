/**
 * The synth guard: `app.synth()` (or `Testing.synth(stack)`) throws before anything is written
 * when a value registered in the Redactor — every secret value resolved through infrakey's core in
 * this process, and its base64/URL/JSON forms — appears in the Terraform configuration. The error
 * names the construct path and the attribute, never the value.
 *
 * Two checks, both before a stack's file is written:
 * - an Aspect: at each stack, the whole app (every stack) is checked element by element, so a
 *   leak anywhere stops synthesis before the first file; at each element, that element;
 * - a validation of each stack: the final documents, after every Aspect of that stack ran
 *   (an Aspect registered after this one could still add a value).
 * cdktf applies Aspects from the stack down only, so the guard is attached to every stack:
 * those that exist now, and, for an App, those created before `app.synth()` is called.
 */
import type { IConstruct } from 'constructs';
import type * as Cdktf from 'cdktf';
import { LeakError, redactor as defaultRedactor, type Redactor } from '../core/index';
import { CDKTF_ERROR_CODES } from './cdktf-errors';
import { engineOf } from './engine';
import { formatPath } from './json-path';

/** Options of {@link protectSecrets}. */
export interface ProtectSecretsOptions {
  /** The Redactor to check against; default: the process-wide one that core registers into. */
  readonly redactor?: Redactor;
}

const guarded = new WeakSet<IConstruct>();
const wrappedApps = new WeakSet<IConstruct>();

/**
 * Guards `scope` (an App, or a single TerraformStack for `Testing.synth`) against plaintext
 * secrets in the synthesized configuration. Returns `scope`.
 */
export function protectSecrets<T extends IConstruct>(scope: T, opts: ProtectSecretsOptions = {}): T {
  const lib = engineOf(scope).lib;
  const red = opts.redactor ?? defaultRedactor;
  const attach = (): void => {
    for (const stack of scope.node.findAll().filter((c): c is Cdktf.TerraformStack => lib.TerraformStack.isStack(c))) guardStack(lib, stack, red);
  };
  attach();
  if (lib.App.isApp(scope) && !wrappedApps.has(scope)) {
    wrappedApps.add(scope);
    const app = scope as unknown as { synth(): void };
    const synth = app.synth.bind(app);
    Object.defineProperty(app, 'synth', {
      value: () => {
        attach();
        synth();
      },
      configurable: true,
      writable: true,
    });
  }
  return scope;
}

function guardStack(lib: typeof Cdktf, stack: Cdktf.TerraformStack, red: Redactor): void {
  if (guarded.has(stack)) return;
  guarded.add(stack);
  lib.Aspects.of(stack).add({
    visit(node: IConstruct) {
      if (lib.TerraformStack.isStack(node)) {
        for (const s of allStacks(lib, node)) checkStack(lib, s, red);
      } else if (lib.TerraformElement.isTerraformElement(node)) {
        checkElement(lib, node, red);
      }
    },
  });
  stack.node.addValidation({
    validate: () => {
      checkStack(lib, stack, red);
      return [];
    },
  });
}

function allStacks(lib: typeof Cdktf, stack: Cdktf.TerraformStack): Cdktf.TerraformStack[] {
  return stack.node.root.node.findAll().filter((c): c is Cdktf.TerraformStack => lib.TerraformStack.isStack(c));
}

/** Each element of the stack, then the stack's whole document (overrides live there). */
function checkStack(lib: typeof Cdktf, stack: Cdktf.TerraformStack, red: Redactor): void {
  if (red.size === 0) return;
  for (const c of stack.node.findAll()) {
    if (lib.TerraformElement.isTerraformElement(c)) checkElement(lib, c, red);
  }
  const hit = findLeak(stack.toTerraform(), red, []);
  if (hit) throw leak(stack.node.path, `stack document, at ${hit}`);
}

function checkElement(lib: typeof Cdktf, el: Cdktf.TerraformElement, red: Redactor): void {
  if (red.size === 0) return;
  // What TerraformStack.toTerraform does for each element, through the public token API.
  const doc: unknown = lib.Tokenization.resolve(el.toTerraform(), {
    scope: lib.TerraformStack.of(el),
    resolver: new lib.DefaultTokenResolver(new lib.StringConcat()),
  });
  const hit = findLeak(doc, red, []);
  if (hit) throw leak(el.node.path, hit);
}

/** The JSON path of the first string (or key) holding a registered value; never the value. */
function findLeak(value: unknown, red: Redactor, path: (string | number)[]): string | undefined {
  if (typeof value === 'string') return red.contains(value) ? formatPath(path) : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findLeak(value[i], red, [...path, i]);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (red.contains(k)) return `${formatPath(path)} (a key)`;
      const hit = findLeak(v, red, [...path, k]);
      if (hit) return hit;
    }
  }
  return undefined;
}

function leak(constructPath: string, attribute: string): LeakError {
  return new LeakError({
    code: CDKTF_ERROR_CODES.SECRET_IN_SYNTH,
    message: `a secret value resolved through infrakey is in the Terraform configuration of construct "${constructPath}" (${attribute}); nothing was written`,
    where: constructPath,
    fix: 'reference the secret with a DeclaredSecret (a data source or a sensitive variable filled by `infrakey secret exec --tf-vars`) instead of putting a resolved value into the stack',
  });
}

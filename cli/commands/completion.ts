import { Argument, type Command, type Option } from 'commander';
import { Workspace, type WorkspaceLoadOptions } from '../../core/index';
import type { CliContext } from '../context';

/**
 * Shell completion, as Atmos, aws-vault, esc and op offer it: `infrakey completion bash|zsh|fish`
 * prints a script that asks the CLI itself for candidates (`infrakey __complete -- WORDS...`), so
 * commands and flags come from the command tree and never drift, stack and component names come
 * from the workspace, and identity names from `auth:`. The script is loaded once per shell:
 *
 *   bash: eval "$(infrakey completion bash)"   (or save it under bash-completion's completions/)
 *   zsh:  source <(infrakey completion zsh)    (after compinit; or save it as _infrakey in $fpath)
 *   fish: infrakey completion fish | source    (or save it as ~/.config/fish/completions/infrakey.fish)
 *
 * Completion never fails loudly: a project that does not load gives commands and flags only.
 */

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** Flags whose values are workspace names, by long name. */
const NAME_FLAGS: Record<string, 'stack' | 'component' | 'identity'> = { stack: 'stack', component: 'component', identity: 'identity' };
/** Commands whose first positional argument is a component name. */
const COMPONENT_POSITIONAL = new Set(['describe component']);

/** `infrakey completion <shell>` and the hidden `infrakey __complete -- WORDS...`. */
export function registerCompletionCommands(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print the shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices([...SHELLS]))
    .action((shell: Shell) => {
      ctx.io.out(completionScript(shell));
    });

  program
    .command('__complete', { hidden: true })
    .description('print completion candidates for the words typed so far (used by the completion scripts)')
    .argument('[words...]', 'the words after `infrakey`, the last one being completed')
    .helpOption(false)
    .action(async (words: string[]) => {
      const candidates = await completeWords(program, words, ctx);
      if (candidates.length > 0) ctx.io.out(candidates.join('\n') + '\n');
    });
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case 'bash':
      return `# infrakey completion for bash: eval "$(infrakey completion bash)"
_infrakey_complete() {
  local IFS=$'\\n'
  COMPREPLY=($("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _infrakey_complete infrakey
`;
    case 'zsh':
      return `#compdef infrakey
# infrakey completion for zsh: source <(infrakey completion zsh), or save as _infrakey in $fpath
_infrakey() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
if [ "$funcstack[1]" = "_infrakey" ]; then
  _infrakey "$@"
else
  compdef _infrakey infrakey
fi
`;
    case 'fish':
      return `# infrakey completion for fish: infrakey completion fish | source
function __infrakey_complete
    set -l words (commandline -opc)
    set -e words[1]
    infrakey __complete -- $words (commandline -ct) 2>/dev/null
end
complete -c infrakey -f -a '(__infrakey_complete)'
`;
  }
}

interface Parsed {
  command: Command;
  /** Values given so far, by long flag name (`stack`, `component`, `config`, ...). */
  values: Map<string, string>;
  /** Positional words after the command path. */
  positionals: string[];
  /** The option whose value is being completed, if the previous word asks for one. */
  pending?: Option;
}

/** Candidates for the last word of `words` (the words after `infrakey`). */
export async function completeWords(program: Command, words: readonly string[], ctx: CliContext): Promise<string[]> {
  const current = words.length > 0 ? words[words.length - 1] : '';
  const parsed = parseWords(program, words.slice(0, -1));
  const byPrefix = (xs: Iterable<string>): string[] => [...new Set(xs)].filter((x) => x.startsWith(current)).sort();

  if (parsed.pending) return byPrefix(await optionValues(parsed.pending, parsed, ctx));
  if (current.startsWith('-')) {
    const eq = current.indexOf('=');
    if (eq > 0) {
      const option = findOption(parsed.command, current.slice(0, eq));
      if (!option) return [];
      const prefix = current.slice(0, eq + 1);
      return byPrefix((await optionValues(option, parsed, ctx)).map((v) => prefix + v));
    }
    return byPrefix(visibleOptions(parsed.command).flatMap((o) => (o.long ? [o.long] : [])));
  }
  const subs = parsed.command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => c.name());
  if (subs.length > 0) return byPrefix(subs);
  if (parsed.positionals.length === 0 && COMPONENT_POSITIONAL.has(commandPath(parsed.command))) return byPrefix(await names('component', parsed, ctx));
  return [];
}

function parseWords(program: Command, words: readonly string[]): Parsed {
  const parsed: Parsed = { command: program, values: new Map(), positionals: [] };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('-') && w !== '-' && w !== '--') {
      const eq = w.indexOf('=');
      const option = findOption(parsed.command, eq > 0 ? w.slice(0, eq) : w);
      if (!option || !(option.required || option.optional)) continue;
      const key = option.attributeName();
      if (eq > 0) {
        parsed.values.set(key, w.slice(eq + 1));
      } else if (option.required) {
        if (i + 1 >= words.length) parsed.pending = option;
        else parsed.values.set(key, words[++i]);
      }
      continue;
    }
    const sub = parsed.command.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub && parsed.positionals.length === 0) parsed.command = sub;
    else parsed.positionals.push(w);
  }
  return parsed;
}

/** The options of `command` and of every command above it (global flags). */
function visibleOptions(command: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = command; c; c = c.parent) out.push(...c.options.filter((o) => !o.hidden));
  return out;
}

function findOption(command: Command, flag: string): Option | undefined {
  return visibleOptions(command).find((o) => o.long === flag || o.short === flag);
}

function commandPath(command: Command): string {
  const parts: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) parts.unshift(c.name());
  return parts.join(' ');
}

async function optionValues(option: Option, parsed: Parsed, ctx: CliContext): Promise<string[]> {
  if (option.argChoices) return option.argChoices;
  const kind = NAME_FLAGS[option.attributeName()];
  return kind ? names(kind, parsed, ctx) : [];
}

/** Stack, component or identity names from the project the typed flags point at; none if it does not load. */
async function names(kind: 'stack' | 'component' | 'identity', parsed: Parsed, ctx: CliContext): Promise<string[]> {
  let ws: Workspace;
  try {
    ws = await Workspace.load(workspaceOptions(parsed, ctx));
    if (kind === 'identity') return [...ws.auth().config.identities.values()].map((i) => i.name);
    const stack = parsed.values.get('stack');
    const component = parsed.values.get('component');
    const stacks = ws.listStacks();
    if (kind === 'stack') {
      return stacks.filter((s) => !component || Object.values(s.components).some((n) => n?.includes(component))).map((s) => s.name);
    }
    return stacks.filter((s) => !stack || s.name === stack).flatMap((s) => Object.values(s.components).flatMap((n) => n ?? []));
  } catch {
    return [];
  }
}

function workspaceOptions(parsed: Parsed, ctx: CliContext): WorkspaceLoadOptions {
  const env = { ...ctx.env };
  const config = parsed.values.get('config');
  const basePath = parsed.values.get('basePath');
  if (config) env.ATMOS_CLI_CONFIG_PATH = config;
  if (basePath) env.ATMOS_BASE_PATH = basePath;
  const profile = parsed.values.get('profile');
  return { cwd: ctx.cwd, env, ...(profile ? { profile } : {}) };
}

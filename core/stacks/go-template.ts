import { StackError, type SourceLocation } from '../errors';
import { isMap } from './deep-merge';
import { formatGoValue, isTruthy, TEMPLATE_FUNCTIONS, TemplateFunctionError, type TemplateFunctionContext } from './template-functions';

/**
 * Go `text/template`, as Atmos renders stack manifests, import templates, stack-name templates
 * and component sections: actions with `{{- -}}` trimming and comments, pipelines, variables
 * (`$x := …`, `$`), `if`/`else if`/`else`, `range` (with `$i, $v :=`, `else`, `break`,
 * `continue`), `with`, parenthesised pipelines, literals, and the Go, Sprig and Gomplate functions
 * in {@link TEMPLATE_FUNCTIONS}. `define`/`template`/`block` and functions not in that table are
 * refused with STACK_TEMPLATE_UNSUPPORTED naming the function, file and line, never rendered
 * wrongly. A missing map key is an error (Go's `missingkey=error`) unless `missing: 'no-value'`
 * (`missingkey=default`, printed `<no value>`).
 */

/** Options for {@link renderGoTemplate}. */
export interface GoTemplateOptions {
  /** What is being rendered, for messages (e.g. `stacks.name_template`, `import context`). */
  subject: string;
  /** Where the template text starts; line numbers of errors are counted from here. */
  where?: SourceLocation | string;
  /** `error` (default): a missing key fails with STACK_TEMPLATE_MISSING_VALUE; `no-value`: Go's `<no value>`. */
  missing?: 'error' | 'no-value';
  /** Environment for `env`/`expandenv`/`env.Getenv` (default: none, so templates are deterministic). */
  env?: NodeJS.ProcessEnv;
  /** Action delimiters (atmos.yaml `templates.settings.delimiters`), default `{{` `}}`. */
  delimiters?: readonly [string, string];
}

/** True when the text contains a Go template action. */
export function hasTemplateActions(text: string, delimiters: readonly [string, string] = ['{{', '}}']): boolean {
  return text.includes(delimiters[0]);
}

/** Renders a Go template with `data` as dot. */
export function renderGoTemplate(text: string, data: unknown, opts: GoTemplateOptions): string {
  const [left, right] = opts.delimiters ?? ['{{', '}}'];
  if (!text.includes(left)) return text;
  const parser = new Parser(text, left, right, opts);
  const nodes = parser.parseList(new Set());
  const exec = new Executor(text, data, opts);
  const out: string[] = [];
  exec.run(nodes, data, [{ name: '$', value: data }], out);
  return out.join('');
}

// ---------------------------------------------------------------- syntax tree

type Arg =
  | { kind: 'dot'; pos: number }
  | { kind: 'field'; chain: string[]; pos: number }
  | { kind: 'var'; name: string; chain: string[]; pos: number }
  | { kind: 'literal'; value: unknown; pos: number }
  | { kind: 'func'; name: string; pos: number }
  | { kind: 'pipe'; pipe: Pipeline; chain: string[]; pos: number };

interface Command {
  args: Arg[];
  pos: number;
}

interface Pipeline {
  decl: string[];
  assign: boolean;
  cmds: Command[];
  pos: number;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if' | 'with'; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; alt: Node[] }
  | { kind: 'break' | 'continue'; pos: number };

// ---------------------------------------------------------------- errors

function lineAt(text: string, offset: number, where: SourceLocation | string | undefined): SourceLocation | string | undefined {
  if (where === undefined || typeof where === 'string') return where;
  let extra = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) extra++;
  return { file: where.file, line: (where.line ?? 1) + extra };
}

function unsupported(text: string, offset: number, opts: GoTemplateOptions, what: string, fix: string): StackError {
  return new StackError({
    code: 'STACK_TEMPLATE_UNSUPPORTED',
    message: `${opts.subject}: ${what}`,
    where: lineAt(text, offset, opts.where),
    fix,
  });
}

function syntax(text: string, offset: number, opts: GoTemplateOptions, what: string): StackError {
  return new StackError({
    code: 'STACK_TEMPLATE_SYNTAX',
    message: `${opts.subject}: Go template syntax error: ${what}`,
    where: lineAt(text, offset, opts.where),
    fix: 'correct the template action (see https://pkg.go.dev/text/template)',
  });
}

// ---------------------------------------------------------------- lexer + parser

interface Token {
  t: 'ident' | 'field' | 'var' | 'string' | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'end';
  v: string;
  pos: number;
}

class Parser {
  private i = 0;
  /** Tokens of the current action. */
  private toks: Token[] = [];
  private k = 0;

  constructor(
    private readonly text: string,
    private readonly left: string,
    private readonly right: string,
    private readonly opts: GoTemplateOptions,
  ) {}

  /** Parses nodes until one of the `stop` keywords (`end`, `else`); leaves the keyword action unread in `this.stopped`. */
  stopped?: { word: string; pos: number; rest: Token[] };

  parseList(stop: Set<string>): Node[] {
    const nodes: Node[] = [];
    const text = this.text;
    while (this.i < text.length) {
      const open = text.indexOf(this.left, this.i);
      let literal = open < 0 ? text.slice(this.i) : text.slice(this.i, open);
      if (open < 0) {
        nodes.push({ kind: 'text', text: literal });
        this.i = text.length;
        break;
      }
      let start = open + this.left.length;
      const trimLeft = text[start] === '-' && /\s/.test(text[start + 1] ?? '');
      if (trimLeft) {
        literal = literal.replace(/\s+$/, '');
        start += 1;
      }
      if (literal !== '') nodes.push({ kind: 'text', text: literal });
      // Comment: {{/* … */}}
      const afterSpace = start + (text.slice(start).match(/^\s*/)?.[0].length ?? 0);
      if (text.startsWith('/*', afterSpace)) {
        const endComment = text.indexOf('*/', afterSpace + 2);
        if (endComment < 0) throw syntax(text, open, this.opts, 'unclosed comment');
        let close = endComment + 2;
        const m = /^(\s-)?\s*/.exec(text.slice(close));
        let trimRight = false;
        if (text.slice(close).match(/^\s*-\s*/) && text.slice(close).replace(/^\s*-\s*/, '').startsWith(this.right)) {
          trimRight = true;
          close += (text.slice(close).match(/^\s*-\s*/) as RegExpMatchArray)[0].length;
        } else if (m) close += m[0].length;
        if (!text.startsWith(this.right, close)) throw syntax(text, open, this.opts, 'comment must end with */ followed by the closing delimiter');
        this.i = close + this.right.length;
        if (trimRight) this.i += text.slice(this.i).length - text.slice(this.i).replace(/^\s+/, '').length;
        continue;
      }
      this.toks = this.lexAction(start, open);
      this.k = 0;
      const first = this.toks[0];
      if (first.t === 'end' && first.v === '') throw syntax(text, open, this.opts, 'missing value for command');
      if (first.t === 'ident' && ['end', 'else'].includes(first.v)) {
        if (!stop.has(first.v)) throw syntax(text, open, this.opts, `unexpected {{ ${first.v} }}`);
        this.stopped = { word: first.v, pos: open, rest: this.toks.slice(1) };
        return nodes;
      }
      if (first.t === 'ident' && ['if', 'with', 'range'].includes(first.v)) {
        this.k = 1;
        nodes.push(this.parseControl(first.v as 'if' | 'with' | 'range', open));
        continue;
      }
      if (first.t === 'ident' && (first.v === 'break' || first.v === 'continue')) {
        nodes.push({ kind: first.v, pos: open });
        continue;
      }
      if (first.t === 'ident' && ['define', 'template', 'block'].includes(first.v)) {
        throw unsupported(text, open, this.opts, `the Go template action {{ ${first.v} }} is not supported`, 'inline the template text instead of defining and calling named templates');
      }
      const pipe = this.parsePipeline(open);
      this.expectEnd();
      nodes.push({ kind: 'action', pipe });
    }
    if (stop.size > 0) throw syntax(text, this.text.length, this.opts, `unexpected end of template: missing {{ end }}`);
    return nodes;
  }

  private parseControl(word: 'if' | 'with' | 'range', pos: number): Node {
    const pipe = this.parsePipeline(pos);
    this.expectEnd();
    const body = this.parseList(new Set(['end', 'else']));
    let alt: Node[] = [];
    const stopped = this.stopped as { word: string; pos: number; rest: Token[] };
    this.stopped = undefined;
    if (stopped.word === 'else') {
      if (stopped.rest.length > 1 && stopped.rest[0].t === 'ident' && (stopped.rest[0].v === 'if' || stopped.rest[0].v === 'with')) {
        // `{{ else if … }}` is an if nested in the else branch, sharing the outer {{ end }}.
        this.toks = stopped.rest;
        this.k = 1;
        alt = [this.parseControl(stopped.rest[0].v as 'if' | 'with', stopped.pos)];
        return { kind: word, pipe, body, alt } as Node;
      }
      if (stopped.rest.length !== 1) throw syntax(this.text, stopped.pos, this.opts, 'unexpected words after else');
      alt = this.parseList(new Set(['end']));
      this.stopped = undefined;
    }
    return { kind: word, pipe, body, alt } as Node;
  }

  private expectEnd(): void {
    const t = this.toks[this.k];
    if (t.t !== 'end') throw syntax(this.text, t.pos, this.opts, `unexpected ${JSON.stringify(t.v)} in action`);
  }

  private parsePipeline(pos: number): Pipeline {
    const pipe: Pipeline = { decl: [], assign: false, cmds: [], pos };
    // Declarations: $x := … or $i, $v := … (range) or $x = …
    const save = this.k;
    const vars: string[] = [];
    while (this.toks[this.k]?.t === 'var' && !this.toks[this.k].v.includes('.')) {
      vars.push(this.toks[this.k].v);
      this.k++;
      if (this.toks[this.k]?.t === 'comma') {
        this.k++;
        continue;
      }
      break;
    }
    const op = this.toks[this.k];
    if (vars.length > 0 && (op?.t === 'declare' || op?.t === 'assign')) {
      pipe.decl = vars;
      pipe.assign = op.t === 'assign';
      this.k++;
    } else {
      this.k = save;
    }
    for (;;) {
      pipe.cmds.push(this.parseCommand());
      if (this.toks[this.k]?.t === 'pipe') {
        this.k++;
        continue;
      }
      break;
    }
    return pipe;
  }

  private parseCommand(): Command {
    const args: Arg[] = [];
    const pos = this.toks[this.k]?.pos ?? 0;
    for (;;) {
      const t = this.toks[this.k];
      if (!t || t.t === 'end' || t.t === 'pipe' || t.t === 'rparen') break;
      args.push(this.parseOperand());
    }
    if (args.length === 0) throw syntax(this.text, pos, this.opts, 'missing value for command');
    return { args, pos };
  }

  private parseOperand(): Arg {
    const t = this.toks[this.k++];
    switch (t.t) {
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'field':
        return { kind: 'field', chain: t.v.slice(1).split('.'), pos: t.pos };
      case 'var': {
        const [name, ...chain] = t.v.split('.');
        return { kind: 'var', name, chain, pos: t.pos };
      }
      case 'string':
        return { kind: 'literal', value: t.v, pos: t.pos };
      case 'number':
        return { kind: 'literal', value: Number(t.v), pos: t.pos };
      case 'bool':
        return { kind: 'literal', value: t.v === 'true', pos: t.pos };
      case 'nil':
        return { kind: 'literal', value: null, pos: t.pos };
      case 'ident':
        return { kind: 'func', name: t.v, pos: t.pos };
      case 'lparen': {
        const pipe = this.parsePipeline(t.pos);
        const close = this.toks[this.k++];
        if (close?.t !== 'rparen') throw syntax(this.text, t.pos, this.opts, 'unclosed left paren');
        // `(pipeline).field.chain`
        const next = this.toks[this.k];
        let chain: string[] = [];
        if (next?.t === 'field' && next.pos === close.pos + 1) {
          chain = next.v.slice(1).split('.');
          this.k++;
        }
        return { kind: 'pipe', pipe, chain, pos: t.pos };
      }
      default:
        throw syntax(this.text, t.pos, this.opts, `unexpected ${JSON.stringify(t.v)} in operand`);
    }
  }

  /** Tokenises one action starting at `start` (after the left delimiter and its trim marker). */
  private lexAction(start: number, open: number): Token[] {
    const text = this.text;
    const toks: Token[] = [];
    let i = start;
    const isIdent = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) {
        // ` -}}` closes with right trim.
        if (text[i + 1] === '-' && text.startsWith(this.right, i + 2)) break;
        i++;
      }
      if (i >= text.length) throw syntax(text, open, this.opts, `unclosed action (a '${this.left}' without '${this.right}')`);
      if (/\s/.test(text[i]) && text[i + 1] === '-' && text.startsWith(this.right, i + 2)) {
        toks.push({ t: 'end', v: '', pos: i });
        i += 2 + this.right.length;
        this.i = i + (text.slice(i).length - text.slice(i).replace(/^\s+/, '').length);
        return toks;
      }
      if (text.startsWith(this.right, i)) {
        toks.push({ t: 'end', v: '', pos: i });
        this.i = i + this.right.length;
        return toks;
      }
      const c = text[i];
      const pos = i;
      if (c === '"') {
        let j = i + 1;
        let s = '';
        while (j < text.length && text[j] !== '"') {
          if (text[j] === '\n') throw syntax(text, pos, this.opts, 'unterminated quoted string');
          if (text[j] === '\\') {
            const e = text[j + 1];
            const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
            if (e === 'u' || e === 'x' || e === 'U') {
              const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
              s += String.fromCodePoint(parseInt(text.slice(j + 2, j + 2 + len), 16));
              j += 2 + len;
              continue;
            }
            s += map[e] ?? e;
            j += 2;
            continue;
          }
          s += text[j++];
        }
        if (j >= text.length) throw syntax(text, pos, this.opts, 'unterminated quoted string');
        toks.push({ t: 'string', v: s, pos });
        i = j + 1;
      } else if (c === '`') {
        const j = text.indexOf('`', i + 1);
        if (j < 0) throw syntax(text, pos, this.opts, 'unterminated raw quoted string');
        toks.push({ t: 'string', v: text.slice(i + 1, j), pos });
        i = j + 1;
      } else if (c === "'") {
        const j = text.indexOf("'", i + 1);
        if (j < 0) throw syntax(text, pos, this.opts, 'unterminated character constant');
        toks.push({ t: 'number', v: String(text.slice(i + 1, j).codePointAt(0)), pos });
        i = j + 1;
      } else if (c === '|') {
        toks.push({ t: 'pipe', v: '|', pos });
        i++;
      } else if (c === '(') {
        toks.push({ t: 'lparen', v: '(', pos });
        i++;
      } else if (c === ')') {
        toks.push({ t: 'rparen', v: ')', pos });
        i++;
      } else if (c === ',') {
        toks.push({ t: 'comma', v: ',', pos });
        i++;
      } else if (c === ':' && text[i + 1] === '=') {
        toks.push({ t: 'declare', v: ':=', pos });
        i += 2;
      } else if (c === '=') {
        toks.push({ t: 'assign', v: '=', pos });
        i++;
      } else if (c === '.' && !isIdent(text[i + 1])) {
        toks.push({ t: 'dot', v: '.', pos });
        i++;
      } else if (c === '.' || c === '$') {
        let j = i + 1;
        while (isIdent(text[j]) || (text[j] === '.' && isIdent(text[j + 1]))) j++;
        toks.push({ t: c === '.' ? 'field' : 'var', v: text.slice(i, j), pos });
        i = j;
      } else if (/[0-9+-]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/.exec(text.slice(i));
        if (!m || m[0] === '' || m[0] === '+' || m[0] === '-') throw syntax(text, pos, this.opts, `bad number syntax at ${JSON.stringify(text.slice(i, i + 10))}`);
        const raw = m[0].replace(/_/g, '');
        const v = /^[+-]?0[xXbBoO]/.test(raw) ? String(Number(raw.replace(/^([+-]?)0[oO]/, '$10o'))) : /^[+-]?0[0-7]+$/.test(raw) ? String(parseInt(raw, 8)) : raw;
        toks.push({ t: 'number', v, pos });
        i += m[0].length;
      } else if (/[A-Za-z_]/.test(c)) {
        let j = i;
        // Namespaced functions (Gomplate's `strings.ToUpper`, Atmos's `atmos.Component`) lex as one name.
        while (isIdent(text[j]) || (text[j] === '.' && /[A-Za-z_]/.test(text[j + 1] ?? ''))) j++;
        const word = text.slice(i, j);
        if (word === 'true' || word === 'false') toks.push({ t: 'bool', v: word, pos });
        else if (word === 'nil') toks.push({ t: 'nil', v: word, pos });
        else toks.push({ t: 'ident', v: word, pos });
        i = j;
      } else {
        throw syntax(text, pos, this.opts, `unexpected character ${JSON.stringify(c)} in action`);
      }
    }
  }
}

// ---------------------------------------------------------------- execution

interface Scope {
  name: string;
  value: unknown;
}

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
/** Output bound: a template that loops without end must fail, not exhaust memory. */
const MAX_OUTPUT = 10_000_000;

class Executor {
  private size = 0;
  private readonly fctx: TemplateFunctionContext;

  constructor(
    private readonly text: string,
    private readonly root: unknown,
    private readonly opts: GoTemplateOptions,
  ) {
    this.fctx = { env: opts.env ?? {} };
  }

  run(nodes: Node[], dot: unknown, vars: Scope[], out: string[]): typeof BREAK | typeof CONTINUE | undefined {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.emit(out, node.text);
          break;
        case 'action': {
          const v = this.pipeline(node.pipe, dot, vars);
          if (node.pipe.decl.length === 0) this.emit(out, this.print(v, node.pipe.pos));
          break;
        }
        case 'if':
        case 'with': {
          const inner = [...vars];
          const v = this.pipeline(node.pipe, dot, inner);
          const truthy = isTruthy(v);
          if (truthy) {
            const r = this.run(node.body, node.kind === 'with' ? v : dot, inner, out);
            if (r) return r;
          } else {
            const r = this.run(node.alt, dot, inner, out);
            if (r) return r;
          }
          break;
        }
        case 'range': {
          const inner = [...vars];
          const decl = node.pipe.decl;
          const listPipe = { ...node.pipe, decl: [] };
          const v = this.pipeline(listPipe, dot, inner);
          const entries = this.rangeEntries(v, node.pipe.pos);
          if (entries.length === 0) {
            const r = this.run(node.alt, dot, inner, out);
            if (r) return r;
            break;
          }
          for (const [k, item] of entries) {
            const scope = [...inner];
            if (decl.length === 1) scope.push({ name: decl[0], value: item });
            if (decl.length === 2) scope.push({ name: decl[0], value: k }, { name: decl[1], value: item });
            const r = this.run(node.body, item, scope, out);
            if (r === BREAK) break;
          }
          break;
        }
        case 'break':
          return BREAK;
        case 'continue':
          return CONTINUE;
      }
    }
    return undefined;
  }

  private emit(out: string[], s: string): void {
    this.size += s.length;
    if (this.size > MAX_OUTPUT) {
      throw unsupported(this.text, 0, this.opts, `the template output exceeds ${MAX_OUTPUT} characters`, 'check the template for runaway loops');
    }
    out.push(s);
  }

  private rangeEntries(v: unknown, pos: number): [unknown, unknown][] {
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v.map((x, i) => [i, x]);
    if (isMap(v)) return Object.keys(v).sort().map((k) => [k, v[k]]);
    if (typeof v === 'number' && Number.isInteger(v)) return Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    throw syntax(this.text, pos, this.opts, `range can't iterate over ${formatGoValue(v)}`);
  }

  private print(v: unknown, pos: number): string {
    if (v === undefined) {
      if (this.opts.missing === 'no-value') return '<no value>';
      // A missing value is reported where it is read; reaching here means a function returned nothing.
      return '<no value>';
    }
    void pos;
    return formatGoValue(v);
  }

  private pipeline(pipe: Pipeline, dot: unknown, vars: Scope[]): unknown {
    let value: unknown;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, vars, first ? NO_FINAL : value);
      first = false;
    }
    if (pipe.decl.length > 0) {
      if (pipe.assign) {
        for (let i = vars.length - 1; i >= 0; i--) {
          if (vars[i].name === pipe.decl[0]) {
            vars[i] = { name: pipe.decl[0], value };
            return value;
          }
        }
        throw syntax(this.text, pipe.pos, this.opts, `undefined variable: ${pipe.decl[0]}`);
      }
      vars.push({ name: pipe.decl[0], value });
    }
    return value;
  }

  private command(cmd: Command, dot: unknown, vars: Scope[], final: unknown): unknown {
    const [head, ...rest] = cmd.args;
    if (head.kind === 'func') {
      const fn = Object.prototype.hasOwnProperty.call(TEMPLATE_FUNCTIONS, head.name) ? TEMPLATE_FUNCTIONS[head.name] : undefined;
      if (!fn) {
        throw unsupported(
          this.text,
          head.pos,
          this.opts,
          `the template function ${JSON.stringify(head.name)} is not supported`,
          'use a supported Sprig/Gomplate function (listed in the docs), or compute the value outside the template',
        );
      }
      // `and`/`or` evaluate lazily as in Go.
      if (head.name === 'and' || head.name === 'or') {
        const all = [...rest];
        let last: unknown;
        for (const a of all) {
          last = this.arg(a, dot, vars);
          if (head.name === 'and' ? !isTruthy(last) : isTruthy(last)) return last;
        }
        if (final !== NO_FINAL) last = final;
        return last;
      }
      const args = rest.map((a) => this.arg(a, dot, vars));
      if (final !== NO_FINAL) args.push(final);
      try {
        return fn(this.fctx, ...args);
      } catch (e) {
        if (e instanceof TemplateFunctionError) {
          throw new StackError({
            code: e.code,
            message: `${this.opts.subject}: ${head.name}: ${e.message}`,
            where: lineAt(this.text, head.pos, this.opts.where),
            fix: e.fix,
          });
        }
        throw e;
      }
    }
    if (rest.length > 0 || final !== NO_FINAL) {
      throw syntax(this.text, cmd.pos, this.opts, `can't give arguments to a non-function (${describeArg(head)})`);
    }
    return this.arg(head, dot, vars);
  }

  private arg(a: Arg, dot: unknown, vars: Scope[]): unknown {
    switch (a.kind) {
      case 'dot':
        return dot;
      case 'literal':
        return a.value;
      case 'field':
        return this.chain(dot, a.chain, a.pos, '');
      case 'var': {
        let v: unknown;
        let found = false;
        for (let i = vars.length - 1; i >= 0; i--) {
          if (vars[i].name === a.name) {
            v = vars[i].value;
            found = true;
            break;
          }
        }
        if (!found) throw syntax(this.text, a.pos, this.opts, `undefined variable: ${a.name}`);
        return this.chain(v, a.chain, a.pos, a.name);
      }
      case 'func':
        return this.command({ args: [a], pos: a.pos }, dot, vars, NO_FINAL);
      case 'pipe':
        return this.chain(this.pipeline(a.pipe, dot, [...vars]), a.chain, a.pos, '(…)');
    }
  }

  private chain(start: unknown, chain: string[], pos: number, prefix: string): unknown {
    let cur = start;
    let path = prefix;
    for (const key of chain) {
      path += `.${key}`;
      if (cur === undefined || cur === null) {
        if (this.opts.missing === 'no-value') return undefined;
        throw this.missing(path, pos);
      }
      if (!isMap(cur)) throw syntax(this.text, pos, this.opts, `can't evaluate field ${key} in ${formatGoValue(cur)} (at ${path})`);
      if (!Object.prototype.hasOwnProperty.call(cur, key)) {
        if (this.opts.missing === 'no-value') return undefined;
        throw this.missing(path, pos);
      }
      cur = cur[key];
    }
    return cur;
  }

  private missing(path: string, pos: number): StackError {
    return new StackError({
      code: 'STACK_TEMPLATE_MISSING_VALUE',
      message: `${this.opts.subject}: {{ ${path} }} has no value (map has no entry for key ${JSON.stringify(path.split('.').pop())})`,
      where: lineAt(this.text, pos, this.opts.where),
      fix: `define ${path.replace(/^\./, '')} (for stack names: in the stack's top-level vars) or change the template; \`default\` gives a fallback: {{ ${path} | default "x" }} with ignore_missing_template_values`,
    });
  }
}

const NO_FINAL = Symbol('no-final');

function describeArg(a: Arg): string {
  switch (a.kind) {
    case 'field':
      return `.${a.chain.join('.')}`;
    case 'var':
      return [a.name, ...a.chain].join('.');
    case 'literal':
      return JSON.stringify(a.value);
    default:
      return a.kind;
  }
}

/**
 * The HTML forms of an IdP page (saml2aws reads them with goquery): each `<form>` with its action,
 * method and `<input>` fields, in page order. A bounded tag scan, not a DOM: the SAML drivers need
 * only form fields (the login form to fill, the hidden `SAMLResponse` of the answer page), and the
 * page is at most 1 MiB (the caller's bound). One forward pass: each character is looked at a
 * bounded number of times whatever the page holds (a regular expression over the whole page
 * rescans from every `<` of an unterminated tag: quadratic, minutes for 1 MiB).
 */

/** One `<input>` of a form. */
export interface HtmlInput {
  readonly name: string;
  readonly value: string;
  /** Lower-case `type`, `text` when absent. */
  readonly type: string;
}

/** One `<form>` and the inputs between it and its `</form>`. */
export interface HtmlForm {
  readonly action?: string;
  /** Upper-case method, `GET` when absent (HTML's default). */
  readonly method: string;
  readonly inputs: HtmlInput[];
}

const ATTRIBUTE = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML character references of an attribute value (named ones forms use, and numeric ones). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (all, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return NAMED[ref.toLowerCase()] ?? all;
  });
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1].toLowerCase();
    if (!out.has(name)) out.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return out;
}

interface Tag {
  readonly closing: boolean;
  readonly name: 'form' | 'input';
  /** The text between the tag name and its `>`. */
  readonly attributes: string;
}

function tagNameAt(lower: string, at: number): 'form' | 'input' | undefined {
  for (const name of ['form', 'input'] as const) {
    if (lower.startsWith(name, at) && /^[\s/>]/.test(lower.charAt(at + name.length))) return name;
  }
  return undefined;
}

/** The form and input tags in page order; an unterminated tag (quote or `>` missing) ends the page, as in a browser. */
function* tags(html: string): Generator<Tag> {
  const lower = html.toLowerCase();
  let i = 0;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt < 0) return;
    const closing = html.charAt(lt + 1) === '/';
    const nameAt = lt + (closing ? 2 : 1);
    const name = tagNameAt(lower, nameAt);
    if (!name) {
      i = lt + 1;
      continue;
    }
    const start = nameAt + name.length;
    let quote = '';
    let k = start;
    for (; k < html.length; k++) {
      const c = html.charAt(k);
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    if (k >= html.length) return;
    yield { closing, name, attributes: html.slice(start, k) };
    i = k + 1;
  }
}

/** The forms of a page; inputs outside any form are left out (nothing would submit them). */
export function htmlForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  let open: HtmlForm | undefined;
  for (const tag of tags(html)) {
    if (tag.name === 'form') {
      if (tag.closing) {
        open = undefined;
        continue;
      }
      const a = attributes(tag.attributes);
      open = { action: a.get('action'), method: (a.get('method') ?? 'GET').toUpperCase(), inputs: [] };
      forms.push(open);
    } else if (!tag.closing && open) {
      const a = attributes(tag.attributes);
      const name = a.get('name');
      if (name !== undefined) open.inputs.push({ name, value: a.get('value') ?? '', type: (a.get('type') ?? 'text').toLowerCase() });
    }
  }
  return forms;
}

/** The value of the first `SAMLResponse` input of any form (saml2aws: `input[name="SAMLResponse"]`). */
export function samlResponseInput(html: string): string | undefined {
  for (const f of htmlForms(html)) {
    const input = f.inputs.find((i) => i.name === 'SAMLResponse');
    if (input) return input.value;
  }
  return undefined;
}

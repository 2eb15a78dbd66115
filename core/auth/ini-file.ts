/**
 * A small INI model for the AWS shared credentials and config files: sections in order, each
 * with its leading comment lines and its key/value entries. Unknown sections pass through
 * untouched, so writing one profile preserves every other profile in the file (§2.3).
 */

export interface IniSection {
  name: string;
  /** Comment lines directly above the header, with their `;`/`#`. */
  comments: string[];
  entries: [string, string][];
  /** The section's lines as read (header and body); written back verbatim while untouched. */
  raw?: string[];
}

export interface IniDocument {
  /** Lines before the first section (comments, blank lines). */
  preamble: string[];
  sections: IniSection[];
}

export function parseIni(text: string): IniDocument {
  const doc: IniDocument = { preamble: [], sections: [] };
  let pending: string[] = [];
  let current: IniSection | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') {
      if (!current) doc.preamble.push(...pending, '');
      pending = [];
      continue;
    }
    if (line.startsWith(';') || line.startsWith('#')) {
      pending.push(line);
      continue;
    }
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = { name: header[1].trim(), comments: pending, entries: [], raw: [line] };
      doc.sections.push(current);
      pending = [];
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) {
      current.entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
      current.raw?.push(rawLine.trimEnd());
    }
    pending = [];
  }
  if (!current) doc.preamble.push(...pending);
  while (doc.preamble.length > 0 && doc.preamble[doc.preamble.length - 1] === '') doc.preamble.pop();
  return doc;
}

export function serializeIni(doc: IniDocument): string {
  const parts: string[] = [];
  if (doc.preamble.length > 0) parts.push(doc.preamble.join('\n'));
  for (const s of doc.sections) {
    const width = Math.max(0, ...s.entries.map(([k]) => k.length));
    const body = s.raw ?? [`[${s.name}]`, ...s.entries.map(([k, v]) => `${k.padEnd(width)} = ${v}`)];
    const lines = [...s.comments, ...body];
    parts.push(lines.join('\n'));
  }
  return parts.length === 0 ? '' : parts.join('\n\n') + '\n';
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find((s) => s.name === name);
}

/** Replaces (or appends) a section, keeping its position when it existed. */
export function putSection(doc: IniDocument, section: IniSection): void {
  const i = doc.sections.findIndex((s) => s.name === section.name);
  if (i >= 0) doc.sections[i] = section;
  else doc.sections.push(section);
}

/** Removes a section; true when it existed. */
export function removeSection(doc: IniDocument, name: string): boolean {
  const before = doc.sections.length;
  doc.sections = doc.sections.filter((s) => s.name !== name);
  return doc.sections.length !== before;
}

export function entry(section: IniSection | undefined, key: string): string | undefined {
  return section?.entries.find(([k]) => k === key)?.[1];
}

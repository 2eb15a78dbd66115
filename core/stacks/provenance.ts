import { AppendList, isYamlFunction } from '../yaml/yaml-function';
import { isMap, type ListMergeStrategy, type YamlMap } from './deep-merge';
import { COMPONENT_TYPES, type ComponentType, type ManifestRef, type ProcessedStack } from './stack-processor';

/** Where a value of a described component was written. */
export interface ValueOrigin {
  /** The manifest, relative to the stacks base, with its extension. */
  file: string;
  /** 1-based line of the value in that manifest, when known. */
  line?: number;
  /** Import depth of the manifest: 1 for the stack manifest, 2 for what it imports, and so on. */
  depth: number;
  /** True when the written value is a Go template or a YAML function: what is shown was computed from it. */
  computed: boolean;
}

/** Where each value of one described component comes from (`describe component --provenance`). */
export interface ComponentProvenance {
  /** The stack manifest, relative to the stacks base, without extension. */
  stackFile: string;
  /**
   * The top-level sections the provenance view shows, as Atmos: those a manifest of the stack
   * writes at its top level or in an `overrides` map, and `imports` when there are any; and
   * `vars`, `settings`, `env` when the component's own block writes them.
   */
  sections: ReadonlySet<string>;
  /** The origin of the value at `path` of the described section, if a manifest wrote it. */
  originOf(path: readonly (string | number)[]): ValueOrigin | undefined;
}

/** What {@link traceComponentProvenance} needs besides the stack. */
export interface ProvenanceInput {
  stack: ProcessedStack;
  type: ComponentType;
  name: string;
  /** Base components in merge order (lowest first), as the resolver merged them. */
  bases: readonly string[];
  strategy: ListMergeStrategy;
  /** The described section (merged, rendered, YAML functions resolved and masked). */
  section: YamlMap;
  /** Go template delimiters when templates render (a string holding the left one was computed). */
  templateLeft?: string;
}

/** A raw value one manifest wrote at the path being traced. */
interface Candidate {
  value: unknown;
  ref: ManifestRef;
  /** Path of `value` in its manifest (for {@link ManifestRef.locateValue}). */
  path: readonly (string | number)[];
  /** True for a component block (the component's or a base's), false for stack-wide sections. */
  own: boolean;
}

/** Sections merged from every level: stack-wide, `<type>:`, bases, the component, `overrides`. */
const LAYERED = new Set(['vars', 'settings', 'env', 'hooks', 'providers', 'auth', 'backend_type', 'remote_state_backend_type', 'command']);
/** Sections also listed when only the component's block writes them (see traceComponentProvenance). */
const OWN_SECTIONS = ['vars', 'settings', 'env'];
/** Keys of a manifest's top level that are not sections of a component. */
const NOT_SECTIONS: ReadonlySet<string> = new Set(['import', 'components', 'name', ...COMPONENT_TYPES]);

/**
 * Traces each value of a described component back to the manifest and line that wrote it, by
 * replaying the merge of {@link ComponentResolver.resolve} over the raw manifests. A scalar names
 * the definition that won the merge; a map or a list names where it originates: the first
 * manifest that writes it, looking at the component's own blocks (and its bases') before the
 * stack-wide sections, as Atmos's provenance view shows sections.
 */
export function traceComponentProvenance(input: ProvenanceInput): ComponentProvenance {
  const { stack, section } = input;
  const origins = new Map<string, ValueOrigin>();
  const key = (path: readonly (string | number)[]): string => JSON.stringify(path);
  const record = (path: readonly (string | number)[], c: Candidate | undefined): void => {
    if (!c) return;
    const loc = c.ref.locateValue(c.path);
    origins.set(key(path), { file: c.ref.relativeFile, line: loc?.line, depth: c.ref.depth, computed: isComputed(c.value, input.templateLeft) });
  };

  const walk = (value: unknown, path: (string | number)[], candidates: Candidate[]): void => {
    const live = effective(candidates, value);
    if (live.length === 0) return;
    if (isMap(value)) {
      record(path, live.find((c) => c.own) ?? live[0]);
      for (const k of Object.keys(value)) {
        const next: Candidate[] = [];
        for (const c of live) if (isMap(c.value) && Object.prototype.hasOwnProperty.call(c.value, k)) next.push({ ...c, value: c.value[k], path: [...c.path, k] });
        walk(value[k], [...path, k], next);
      }
      return;
    }
    if (Array.isArray(value)) {
      // Replay deep-merge.ts's list rules: a list replaces (`replace`), adds to (`append`, or a
      // `!append` list) or merges by index into (`merge`) what came before it.
      let items: Candidate[][] = [];
      let startedAt = 0;
      const lists = live.filter((c) => Array.isArray(c.value));
      lists.forEach((c, n) => {
        const mine = (c.value as unknown[]).map((item, i): Candidate => ({ ...c, value: item, path: [...c.path, i] }));
        if (n > 0 && (c.value instanceof AppendList || input.strategy === 'append')) items = [...items, ...mine.map((m) => [m])];
        else if (n > 0 && input.strategy === 'merge') {
          mine.forEach((m, i) => {
            const before = items[i];
            items[i] = before && isMap(m.value) && isMap(before[before.length - 1].value) ? [...before, m] : [m];
          });
        } else {
          items = mine.map((m) => [m]);
          startedAt = n;
        }
      });
      const contributing = lists.slice(startedAt);
      record(path, contributing.find((c) => c.own) ?? contributing[0] ?? live[live.length - 1]);
      value.forEach((item, i) => walk(item, [...path, i], items[i] ?? []));
      return;
    }
    record(path, live[live.length - 1]);
  };

  const shown = new Set<string>();
  for (const layer of stack.layers) {
    for (const k of Object.keys(layer.value)) if (!NOT_SECTIONS.has(k)) shown.add(k);
    for (const o of [layer.value.overrides, ...COMPONENT_TYPES.map((t) => (isMap(layer.value[t]) ? (layer.value[t] as YamlMap).overrides : undefined))]) {
      if (isMap(o)) for (const k of Object.keys(o)) shown.add(k);
    }
  }
  // Atmos lists a section only when a manifest writes it at the top level or in `overrides`, so a
  // component whose vars are written only in its own block would show nothing: infrakey also lists
  // the sections every component has when the component's (or a base's) block writes them.
  for (const n of [...input.bases, input.name]) {
    for (const occ of stack.components[input.type]?.get(n) ?? []) for (const k of OWN_SECTIONS) if (occ.section[k] !== undefined) shown.add(k);
  }
  const sections = new Set<string>();
  for (const k of Object.keys(section)) {
    if (k === 'imports') continue;
    if (shown.has(k)) sections.add(k);
    walk(section[k], [k], sectionCandidates(input, k));
  }
  if (Array.isArray(section.imports) && section.imports.length > 0) {
    sections.add('imports');
    section.imports.forEach((name, i) => {
      const at = typeof name === 'string' ? stack.importedAt.get(name) : undefined;
      if (at) record(['imports', i], { value: name, ref: at.ref, path: at.path, own: false });
    });
    const first = origins.get(key(['imports', 0]));
    if (first) origins.set(key(['imports']), first);
  }
  return { stackFile: stack.fileName, sections, originOf: (path) => origins.get(key(path)) };
}

/** The raw values that feed section `k` of the component, in merge order (lowest priority first). */
function sectionCandidates(input: ProvenanceInput, k: string): Candidate[] {
  const { stack, type } = input;
  const out: Candidate[] = [];
  const backendType = typeof input.section.backend_type === 'string' ? input.section.backend_type : undefined;
  const remoteType = typeof input.section.remote_state_backend_type === 'string' ? input.section.remote_state_backend_type : backendType;
  // `backend` and `remote_state_backend` show the selected type's map: `backend.s3.bucket` is `backend.bucket`.
  const sub: (string | number)[][] =
    k === 'backend' && backendType ? [['backend', backendType]] : k === 'remote_state_backend' && remoteType ? [['backend', remoteType], ['remote_state_backend', remoteType]] : [[k]];
  const layered = LAYERED.has(k) || k === 'backend' || k === 'remote_state_backend';
  const push = (root: unknown, ref: ManifestRef, prefix: (string | number)[], own: boolean): void => {
    for (const p of sub) {
      let v: unknown = root;
      for (const seg of p) v = isMap(v) ? v[seg as string] : undefined;
      if (v !== undefined) out.push({ value: v, ref, path: [...prefix, ...p], own });
    }
  };
  if (layered) {
    for (const layer of stack.layers) push(layer.value, layer, [], false);
    for (const layer of stack.layers) if (isMap(layer.value[type])) push(layer.value[type], layer, [type], false);
  }
  const occurrences = [...input.bases, input.name].flatMap((n) => stack.components[type]?.get(n) ?? []);
  for (const occ of occurrences) push(occ.section, occ.ref, [], true);
  if (k === 'overrides') {
    for (const occ of occurrences) for (const o of occ.overrideSources ?? []) out.push({ value: o.value, ref: o.ref, path: o.path, own: false });
    return out;
  }
  if (layered) {
    const own = stack.components[type]?.get(input.name) ?? [];
    for (const occ of own) for (const o of occ.overrideSources ?? []) push(o.value, o.ref, o.path, false);
  }
  return out;
}

/**
 * The candidates that survive the merge of a value of this shape: a map merges the maps after the
 * last value that replaced it; a list or scalar starts from the last non-list or last value.
 */
function effective(candidates: Candidate[], value: unknown): Candidate[] {
  const present = candidates.filter((c) => c.value !== undefined);
  if (isMap(value)) {
    let start = 0;
    present.forEach((c, i) => {
      if (!isMap(c.value)) start = i + 1;
    });
    const maps = present.slice(start);
    // A value computed into a map (a YAML function) is the function's.
    return maps.length > 0 ? maps : present.slice(-1);
  }
  if (Array.isArray(value)) {
    let start = 0;
    present.forEach((c, i) => {
      if (!Array.isArray(c.value)) start = i + 1;
    });
    const lists = present.slice(start);
    return lists.length > 0 ? lists : present.slice(-1);
  }
  return present;
}

function isComputed(value: unknown, templateLeft: string | undefined): boolean {
  if (isYamlFunction(value)) return true;
  return templateLeft !== undefined && typeof value === 'string' && value.includes(templateLeft);
}

import { readFileSync } from 'node:fs';
import { StackError, type SourceLocation } from '../errors';
import { loadYamlFile, parseYaml, type LoadedYaml } from '../yaml/load-yaml';
import { renderGoTemplate } from './go-template';
import type { YamlMap } from './deep-merge';

/** How an import asked for a file to be templated. */
export interface TemplateRequest {
  context: YamlMap;
  /** Atmos `ignore_missing_template_values`: a missing value renders `<no value>` instead of failing. */
  ignoreMissing: boolean;
}

/**
 * Parsed stack manifests, one parse per file (per file and import context for templated files).
 * Shared by every stack of a Workspace, so a catalog file imported by 2,000 stacks is read once.
 */
export class ManifestCache {
  private readonly files = new Map<string, LoadedYaml>();
  private readonly includeCache = new Map<string, unknown>();

  constructor(
    private readonly basePath: string,
    private readonly projectBase?: string,
  ) {}

  /** Loads a manifest, Go-templating it first when `template` is given. */
  load(file: string, template?: TemplateRequest, importedAt?: SourceLocation): LoadedYaml {
    const key = template ? `${file}\0${JSON.stringify(template.context)}\0${template.ignoreMissing}` : file;
    const hit = this.files.get(key);
    if (hit) return hit;
    const opts = { includeBase: this.basePath, projectBase: this.projectBase, includeCache: this.includeCache, errorKind: 'stack' as const };
    let loaded: LoadedYaml;
    if (template) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new StackError({
          code: 'STACK_IMPORT_NOT_FOUND',
          message: `cannot read imported manifest ${file}`,
          where: importedAt,
          fix: 'check that the file exists and is readable',
          cause: e,
        });
      }
      const rendered = renderGoTemplate(text, template.context, {
        subject: `template ${file}`,
        where: { file, line: 1 },
        missing: template.ignoreMissing ? 'no-value' : 'error',
      });
      loaded = parseYaml(rendered, file, opts);
    } else {
      loaded = loadYamlFile(file, opts);
    }
    this.files.set(key, loaded);
    return loaded;
  }

  /** Number of distinct parses so far (for tests and the benchmark). */
  get size(): number {
    return this.files.size;
  }
}

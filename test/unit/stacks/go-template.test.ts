import { renderGoTemplate } from '../../../core/stacks/go-template';

const r = (text: string, data: unknown = {}, extra: Record<string, unknown> = {}) => renderGoTemplate(text, data, { subject: 't', ...extra });

describe('renderGoTemplate (Go text/template)', () => {
  const data = { vars: { tenant: 'acme', stage: 'dev', n: 3, list: ['a', 'b'], tags: { b: 2, a: 1 } }, stage: 'top', enabled: false };

  it('renders field chains with and without spaces and trims with {{- -}}', () => {
    expect(r('{{ .vars.tenant }}-{{.vars.stage}}', data)).toBe('acme-dev');
    expect(r('{{ .stage }}/{{ .vars.n }}', data)).toBe('top/3');
    expect(r('a  {{- .stage -}}  b', data)).toBe('atopb');
    expect(r('x{{/* a comment */}}y {{- /* trimmed */ -}} z', data)).toBe('xyz');
  });

  it('pipelines, Sprig string/default/list/dict functions, printf and comparisons', () => {
    expect(r('{{ .vars.stage | upper }}', data)).toBe('DEV');
    expect(r('{{ .vars.missing | default "x" }}', data, { missing: 'no-value' })).toBe('x');
    expect(r('{{ printf "%s-%03d" .vars.tenant .vars.n }}', data)).toBe('acme-003');
    expect(r('{{ join "," .vars.list }}|{{ list 1 2 | len }}|{{ (dict "k" "v").k }}', data)).toBe('a,b|2|v');
    expect(r('{{ .vars.tags | toJson }} {{ keys .vars.tags | join "+" }}', data)).toBe('{"a":1,"b":2} a+b');
    expect(r('{{ if eq .vars.stage "prod" "dev" }}y{{ else }}n{{ end }}', data)).toBe('y');
    expect(r('{{ replace "-" "_" .vars.tenant | trimSuffix "e" | title }}', data)).toBe('Acm');
    expect(r('{{ ternary "on" "off" .enabled }} {{ not .enabled }} {{ and 1 0 }} {{ or 0 "z" }}', data)).toBe('off true 0 z');
  });

  it('if/else if/else, range over lists and maps with variables, with, $', () => {
    expect(r('{{ if .enabled }}a{{ else if gt .vars.n 2 }}b{{ else }}c{{ end }}', data)).toBe('b');
    expect(r('{{ range $i, $v := .vars.list }}{{ $i }}={{ $v }};{{ end }}', data)).toBe('0=a;1=b;');
    expect(r('{{ range $k, $v := .vars.tags }}{{ $k }}{{ $v }}{{ end }}', data)).toBe('a1b2');
    expect(r('{{ range .vars.none }}x{{ else }}empty{{ end }}', { vars: { none: [] } })).toBe('empty');
    expect(r('{{ with .vars }}{{ .tenant }}/{{ $.stage }}{{ end }}', data)).toBe('acme/top');
    expect(r('{{ $x := "a" }}{{ $x = printf "%s%s" $x "b" }}{{ $x }}', data)).toBe('ab');
  });

  it('env reads the given environment only', () => {
    expect(r('{{ env "STAGE" }}|{{ env.Getenv "NOPE" "fallback" }}', {}, { env: { STAGE: 'qa' } })).toBe('qa|fallback');
  });

  it('refuses an unknown function naming it, the file and the line', () => {
    expect(() => r('x\n{{ .vars.stage | frobnicate }}', data, { where: { file: 'f.yaml', line: 1 } })).toThrow(
      expect.objectContaining({ code: 'STACK_TEMPLATE_UNSUPPORTED', where: 'f.yaml:2', message: expect.stringContaining('"frobnicate"') }),
    );
    expect(() => r('{{ atmos.Component "vpc" "dev" }}', data)).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_UNSUPPORTED' }));
    expect(() => r('{{ define "x" }}y{{ end }}', data)).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_UNSUPPORTED' }));
    expect(() => r('{{ constructor }}', data)).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_UNSUPPORTED' }));
  });

  it('syntax errors are coded with the line', () => {
    expect(() => r('a\n{{ if .x }}', data, { where: { file: 'f.yaml', line: 10 } })).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_SYNTAX' }));
    expect(() => r('{{ .x ', data)).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_SYNTAX' }));
    expect(() => r('{{ required "stage is required" .vars.nope }}', data, { missing: 'no-value' })).toThrow(
      expect.objectContaining({ code: 'STACK_TEMPLATE_REQUIRED', message: expect.stringContaining('stage is required') }),
    );
  });

  it('fails on a missing value unless told to print <no value>', () => {
    expect(() => r('{{ .vars.region }}', data)).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_MISSING_VALUE' }));
    expect(r('{{ .vars.region }}', data, { missing: 'no-value' })).toBe('<no value>');
  });
});

import { renderGoTemplate } from '../../../core/stacks/go-template';

describe('renderGoTemplate (subset)', () => {
  const data = { vars: { tenant: 'acme', stage: 'dev', n: 3 }, stage: 'top' };

  it('renders field chains with and without spaces and trims with {{- -}}', () => {
    expect(renderGoTemplate('{{ .vars.tenant }}-{{.vars.stage}}', data, { subject: 't' })).toBe('acme-dev');
    expect(renderGoTemplate('{{ .stage }}/{{ .vars.n }}', data, { subject: 't' })).toBe('top/3');
    expect(renderGoTemplate('a  {{- .stage -}}  b', data, { subject: 't' })).toBe('atopb');
  });

  it('refuses functions, pipelines and control flow with the line', () => {
    expect(() => renderGoTemplate('x\n{{ .vars.stage | upper }}', data, { subject: 't', where: { file: 'f.yaml', line: 1 } })).toThrow(
      expect.objectContaining({ code: 'STACK_TEMPLATE_UNSUPPORTED', where: 'f.yaml:2' }),
    );
    expect(() => renderGoTemplate('{{ if .x }}y{{ end }}', data, { subject: 't' })).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_UNSUPPORTED' }));
  });

  it('fails on a missing value unless told to print <no value>', () => {
    expect(() => renderGoTemplate('{{ .vars.region }}', data, { subject: 't' })).toThrow(expect.objectContaining({ code: 'STACK_TEMPLATE_MISSING_VALUE' }));
    expect(renderGoTemplate('{{ .vars.region }}', data, { subject: 't', missing: 'no-value' })).toBe('<no value>');
  });
});

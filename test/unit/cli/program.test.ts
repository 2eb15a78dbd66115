import { run, reportError } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { ConfigError, UsageError, Secret, unsafeUnwrap } from '../../../core/index';
import { renderEnv, renderTable, shellQuote, checkFormat } from '../../../cli/output';

describe('infrakey program', () => {
  it('prints help and exits 0', async () => {
    const io = captureIO();
    expect(await run(['--help'], { io, env: {} })).toBe(0);
    expect(io.stdout).toMatch(/^USAGE\n\n {2}infrakey /);
  });

  it('prints the version', async () => {
    const io = captureIO();
    expect(await run(['--version'], { io, env: {} })).toBe(0);
    expect(io.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown command or option', async () => {
    const io = captureIO();
    expect(await run(['no-such-command'], { io, env: {} })).toBe(2);
    expect(io.stderr).toMatch(/unknown command|too many arguments/);
    const io2 = captureIO();
    expect(await run(['--no-such-flag'], { io: io2, env: {} })).toBe(2);
  });
});

describe('reportError', () => {
  it('prints one line with the code, and no stack trace without --debug', () => {
    const io = captureIO();
    const code = reportError(new ConfigError({ code: 'CONFIG_INVALID', message: 'bad', where: 'atmos.yaml:3', fix: 'fix it' }), io, false);
    expect(code).toBe(1);
    expect(io.stderr).toBe('error [CONFIG_INVALID]: atmos.yaml:3: bad\n  fix: fix it\n');
  });

  it('exits 2 for usage errors', () => {
    expect(reportError(new UsageError({ code: 'USAGE', message: 'bad flag' }), captureIO(), false)).toBe(2);
  });

  it('shows the stack only with --debug', () => {
    const io = captureIO();
    reportError(new Error('boom'), io, false);
    expect(io.stderr).not.toMatch(/\n\s+at /);
    const io2 = captureIO();
    reportError(new Error('boom'), io2, true);
    expect(io2.stderr).toMatch(/\n\s+at /);
  });

  it('masks a secret value that reached an error message', () => {
    const value = unsafeUnwrap(Secret.of('leaky-value-123', 'V'));
    const io = captureIO();
    reportError(new Error(`failed near ${value}`), io, true);
    expect(io.stderr).not.toContain(value);
    expect(io.stderr).toContain('<MASKED>');
  });
});

describe('output helpers', () => {
  it('renders env formats', () => {
    const vars = { B: "it's", A: 'plain' };
    expect(renderEnv(vars, 'bash')).toBe("export A=plain\nexport B='it'\\''s'\n");
    expect(renderEnv(vars, 'dotenv')).toBe("A=plain\nB='it'\\''s'\n");
    expect(JSON.parse(renderEnv(vars, 'json'))).toEqual(vars);
    expect(renderEnv({ M: 'a\nb' }, 'github')).toBe('M<<INFRAKEY_EOF\na\nb\nINFRAKEY_EOF\n');
  });

  it('renders tables and quotes', () => {
    expect(renderTable(['NAME', 'X'], [['a', '1'], ['long', '2']])).toBe('NAME  X\na     1\nlong  2\n');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(() => checkFormat('xml', ['json', 'yaml'] as const, 'json')).toThrow(UsageError);
    expect(checkFormat(undefined, ['json', 'yaml'] as const, 'yaml')).toBe('yaml');
  });
});

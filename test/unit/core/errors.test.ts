import { ConfigError, InfrakeyError, UsageError, formatLocation, isInfrakeyError } from '../../../core/errors';

describe('InfrakeyError', () => {
  it('composes what, where and fix into the message', () => {
    const cause = new Error('root');
    const e = new ConfigError({
      code: 'CONFIG_INVALID',
      message: 'stores.ssm needs a region',
      where: { file: 'atmos.yaml', line: 12, column: 5 },
      fix: 'add options.region',
      cause,
    });
    expect(e.message).toBe('atmos.yaml:12:5: stores.ssm needs a region\n  fix: add options.region');
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.where).toBe('atmos.yaml:12:5');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('ConfigError');
    expect(e).toBeInstanceOf(InfrakeyError);
    expect(isInfrakeyError(e)).toBe(true);
    expect(isInfrakeyError(new Error('x'))).toBe(false);
  });

  it('lists every problem', () => {
    const p1 = new ConfigError({ code: 'A', message: 'first', where: 'atmos.yaml:1' });
    const p2 = new ConfigError({ code: 'B', message: 'second', where: 'atmos.yaml:2' });
    const e = new ConfigError({ code: 'CONFIG_INVALID', message: '2 problems', where: 'atmos.yaml', problems: [p1, p2] });
    expect(e.message).toContain('  - atmos.yaml:1: first');
    expect(e.message).toContain('  - atmos.yaml:2: second');
    expect(e.problems).toHaveLength(2);
  });

  it('formats partial locations', () => {
    expect(formatLocation({ file: 'a.yaml' })).toBe('a.yaml');
    expect(formatLocation({ file: 'a.yaml', line: 3 })).toBe('a.yaml:3');
    expect(new UsageError({ code: 'U', message: 'm' }).message).toBe('m');
  });
});

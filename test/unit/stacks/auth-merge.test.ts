import { mergeComponentAuth } from '../../../core/stacks/auth-merge';

describe('mergeComponentAuth (atmos-semantics §1.5.2)', () => {
  const global = { identities: { Admin: { kind: 'aws/user', default: true }, dev: { kind: 'aws/user' } } };

  it('clears global defaults when the stack marks another identity default, matching markers case-insensitively', () => {
    const out = mergeComponentAuth(global, { identities: { DEV: { default: true } } }, 'replace');
    expect(out.identities).toEqual({ Admin: { kind: 'aws/user', default: false }, dev: { kind: 'aws/user', default: true } });
    expect(global.identities.Admin.default).toBe(true);
  });

  it('drops an undefined default:false marker and rejects an undefined default:true marker', () => {
    expect(mergeComponentAuth(global, { identities: { ghost: { default: false } } }, 'replace').identities).not.toHaveProperty('ghost');
    expect(() => mergeComponentAuth(global, { identities: { ghost: { default: true } } }, 'replace', () => 'stacks/dev.yaml:3')).toThrow(
      expect.objectContaining({ code: 'AUTH_DEFAULT_IDENTITY_UNDEFINED', where: 'stacks/dev.yaml:3' }),
    );
  });

  it('adds identities defined in full by the stack', () => {
    const out = mergeComponentAuth(global, { identities: { extra: { kind: 'aws/assume-role', via: { identity: 'dev' } } } }, 'replace');
    expect(Object.keys(out.identities as object)).toEqual(['Admin', 'dev', 'extra']);
  });
});

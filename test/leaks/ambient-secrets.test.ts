import { resolve } from 'node:path';
import { Redactor, registerAmbientSecrets, MASK } from '../../core/internal';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';

describe('ambient secrets (Atmos §11.5)', () => {
  it('registers token variables and credential patterns', () => {
    const r = new Redactor();
    registerAmbientSecrets({ GITHUB_TOKEN: 'gh-token-value-123', MY_PW: 'custom-password-9', ATMOS_KEYRING_PASSWORD_ENV: 'MY_PW', HOME: '/root' }, r);
    expect(r.mask('token gh-token-value-123 pw custom-password-9 home /root')).toBe(`token ${MASK} pw ${MASK} home /root`);
    const akia = 'AKIA' + 'ABCDEFGHIJKLMNOP';
    const ghp = 'ghp_' + 'a'.repeat(36);
    const age = 'AGE-SECRET-KEY-1' + 'Q'.repeat(58);
    const secretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(r.mask(`id ${akia} gh ${ghp} age ${age}`)).toBe(`id ${MASK} gh ${MASK} age ${MASK}`);
    expect(r.mask(`AWS_SECRET_ACCESS_KEY=${secretKey}`)).toBe(`AWS_SECRET_ACCESS_KEY=${MASK}`);
    expect(r.contains(`x ${akia} y`)).toBe(true);
    expect(r.contains('nothing secret here')).toBe(false);
  });

  it('the CLI masks an ambient token that reaches an error message', async () => {
    const token = 'ci-job-token-7f3a9c';
    const io = captureIO();
    // The token is used as a stack name, so the error "unknown stack <token>" would quote it.
    const cwd = resolve(__dirname, '../../examples/quickstart');
    const code = await run(['describe', 'component', 'api', '-s', token], { io, env: { CI_JOB_TOKEN: token, HOME: cwd }, cwd });
    expect(code).toBe(1);
    expect(io.stderr).toContain('STACK_NOT_FOUND');
    expect(io.stderr).toContain(MASK);
    expect(io.stderr).not.toContain(token);
  });
});

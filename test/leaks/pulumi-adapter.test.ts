/**
 * Leaks through the Pulumi adapter's own surfaces: its error text (passes through the Redactor
 * even when a cause's message carried a value), and the AWS SDK warning it keeps off users' stderr.
 */
import { Secret, StoreError, unsafeUnwrap } from '../../core/index';
import { InfrakeyPulumiError } from '../../pulumi/index';

describe('Pulumi adapter leaks', () => {
  it('an adapter error never shows a registered value, even when the cause message contains one', () => {
    {
      const value = unsafeUnwrap(Secret.of('leaky-adapter-value-42', 'L'));
      const err = new InfrakeyPulumiError('getSecret("L")', new StoreError({ code: 'STORE_X', message: `backend said ${value}`, fix: `retry ${value}` }));
      expect(err.message).not.toContain(value);
      expect(err.fix).not.toContain(value);
      expect(err.message).toContain('<MASKED>');
      expect(err.code).toBe('STORE_X');
    }
  });

  it('loading the adapter sets AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED unless the user set it', () => {
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../pulumi/index');
    });
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'false';
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../pulumi/index');
    });
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
  });
});

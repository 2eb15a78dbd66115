import { decodeEntities, htmlForms, samlResponseInput } from '../../../core/auth/html-form';

describe('htmlForms (bounded form scan of IdP pages)', () => {
  test('forms, their action/method and inputs in order; quoting styles; entities decoded', () => {
    const page = `<html><form id=a action="/login?x=1&amp;y=2" method=post><input name="UserName" type="email"><input type='password' name='Password'>
      <input type=hidden name=AuthMethod value=FormsAuthentication /><input value="no name"></form>
      <input name="outside" value="1"><FORM ACTION='https://aws/saml'><INPUT TYPE="HIDDEN" NAME="SAMLResponse" VALUE="PHNhbWw+&#x2b;&#43;=="></FORM>`;
    expect(htmlForms(page)).toEqual([
      { action: '/login?x=1&y=2', method: 'POST', inputs: [{ name: 'UserName', value: '', type: 'email' }, { name: 'Password', value: '', type: 'password' }, { name: 'AuthMethod', value: 'FormsAuthentication', type: 'hidden' }] },
      { action: 'https://aws/saml', method: 'GET', inputs: [{ name: 'SAMLResponse', value: 'PHNhbWw+++==', type: 'hidden' }] },
    ]);
    expect(samlResponseInput(page)).toBe('PHNhbWw+++==');
  });

  test('a ">" inside a quoted attribute does not end the tag; no SAMLResponse -> undefined', () => {
    const page = '<form action="/a" onsubmit="return x > 1"><input name="SAMLResponse" value="a>b"></form>';
    expect(samlResponseInput(page)).toBe('a>b');
    expect(samlResponseInput('<form><input name="other" value="1"></form>')).toBeUndefined();
    expect(samlResponseInput('<input name="SAMLResponse" value="outside any form">')).toBeUndefined();
  });

  test('entities: named, decimal, hex; unknown and out-of-range left as written', () => {
    expect(decodeEntities('&lt;&gt;&quot;&#39;&amp;&#x41;&#66;&bogus;&#x110000;')).toBe('<>"\'&AB&bogus;&#x110000;');
  });

  test('linear time on hostile input (1 MiB of unterminated tags and quotes, many tags)', () => {
    // An unterminated quote: the rest of the page is inside that tag (as in a browser).
    const hostile = ('<form action="' + '<input name=\'x'.repeat(40_000)).slice(0, 1024 * 1024);
    let t0 = Date.now();
    expect(htmlForms(hostile)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(2000);
    // Many small tags (a regular expression over the page rescans; the scan does not).
    const many = '<form a="b">' + '<input name=x value="y">'.repeat(40_000) + '<input name=';
    t0 = Date.now();
    expect(htmlForms(many)[0].inputs).toHaveLength(40_000);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

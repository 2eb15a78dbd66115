"""FAKE SAML 2.0 identity provider for the aws/saml provider tests (DESIGN.md section 7).

No real IdP (Shibboleth, ADFS, Okta) can run here, so this fake serves what one serves, built with a
real SAML library (pysaml2, Debian's python3-pysaml2) and signed with xmlsec1 by a throwaway key:

* the SAML 2.0 ECP profile (OASIS "Profiles for the OASIS SAML V2.0", section 4.2, the SOAP binding):
  POST a SOAP envelope holding a samlp:AuthnRequest, authenticated with HTTP Basic; the answer is a
  SOAP envelope with an ecp:Response header and the signed samlp:Response in its body. That is
  what saml2aws's ShibbolethECP driver (used by Atmos) speaks, at Shibboleth's
  /idp/profile/SAML2/SOAP/ECP;
* Okta's Authentication API (developer.okta.com "Authentication API": POST /api/v1/authn with
  {"username", "password"} answers {"status": "SUCCESS", "sessionToken"}, or HTTP 401 with
  errorCode E0000004 "Authentication failed", or {"status": "MFA_REQUIRED", "stateToken", factors} for
  "mfa_user": an Okta Verify push factor, and with "mfa_code" a Google Authenticator
  token:software:totp factor whose verify link (POST {"stateToken", "passCode"}) answers SUCCESS and a
  sessionToken for that code, 403 E0000068 "Invalid Passcode/Answer" for another; the fake does not
  derive codes from time, it accepts the one fixed code) and the AWS app's embed link (/app/amazon_aws/<id>/sso/saml?sessionToken=,
  the session-cookie guide's "visit an embed link"): a one-time token redeemed for the auto-posting
  HTML form that carries the base64 SAMLResponse to AWS; a spent or unknown token gets the sign-in page;
* AD FS's IdP-initiated sign-on (Microsoft "AD FS IdpInitiatedSignOn page"):
  GET /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices answers the forms-login page
  (form#loginForm, inputs UserName, Password, AuthMethod=FormsAuthentication) and sets the
  MSISSamlRequest context cookie; the POST of that form (with the cookie) sets the MSISAuth cookie and
  redirects (302) to the sign-on URL, whose GET with that cookie answers the page with the
  SAMLResponse form; a wrong password gets the login page again with errorText. A user named in
  "mfa_user" gets the Azure MFA page (AuthMethod=AzureMfaAuthentication);
* Keycloak's IdP-initiated SSO for a SAML client (Keycloak server admin guide, "IDP Initiated
  login": GET /realms/<realm>/protocol/saml/clients/<client-url-name>): the login page (form
  #kc-form-login, inputs username, password, credentialId, login) with the AUTH_SESSION_ID cookie;
  its POST to /realms/<realm>/login-actions/authenticate?session_code=...&execution=...&client_id=...&tab_id=...
  (with the cookie) answers the SAMLResponse page, the login page again with "Invalid username or
  password." on a wrong one, or the OTP form (#kc-otp-login-form, input otp) for "mfa_user";
* the AWS attributes of the AWS IAM user guide ("Configuring SAML assertions for the
  authentication response"): Role ("role-arn,saml-provider-arn"), RoleSessionName and
  SessionDuration.

Served over HTTPS (the provider refuses plain http) with the same throwaway certificate.

Input: one JSON object on stdin: {"username", "password", "roles": [[role_arn, principal_arn], ...],
"role_form": "multi" | "repeated", "session_name", "session_duration"?, "mfa_user"?, "mfa_code"?}. "multi" is the usual form
(one Role attribute with one value per role); "repeated" writes one Role attribute per role, which
saml2aws also reads and which moto 5.1's AssumeRoleWithSAML can parse (it fails on a multi-valued
Role attribute). Output: one JSON line {"url" (the ECP endpoint), "base", "cert"} once listening; then a log line per request on
stderr. Stops on SIGTERM or when stdin closes.
"""

import base64
import html
import secrets
import urllib.parse
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


from saml2 import BINDING_HTTP_POST, BINDING_PAOS, BINDING_SOAP, class_name, saml, samlp
from saml2.profile import ecp
from saml2.schema import soapenv
from saml2.s_utils import do_ava
from saml2.sigver import pre_signature_part, signed_instance_factory
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from saml2.config import Config, SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.soap import parse_soap_enveloped_saml_thingy

AWS_SP = "urn:amazon:webservices"
AWS_ACS = "https://signin.aws.amazon.com/saml"
ECP_PATH = "/idp/profile/SAML2/SOAP/ECP"
OKTA_AUTHN = "/api/v1/authn"
OKTA_APP = "/app/amazon_aws/exk1fakeapp/sso/saml"
OKTA_TOTP_VERIFY = "/api/v1/authn/factors/ost1faketotp/verify"
ADFS_SIGN_ON = "/adfs/ls/IdpInitiatedSignOn.aspx"
KC_CLIENT = "/realms/corp/protocol/saml/clients/amazon-aws"
KC_AUTHENTICATE = "/realms/corp/login-actions/authenticate"
ATTR = "https://aws.amazon.com/SAML/Attributes/"


def throwaway_cert(folder):
    key, cert = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, cert


def aws_sp_metadata():
    """The AWS sign-in service provider as IdP metadata names it (entity id and ACS of the AWS docs)."""
    sp = SPConfig()
    sp.load({
        "entityid": AWS_SP,
        "service": {"sp": {"endpoints": {"assertion_consumer_service": [(AWS_ACS, BINDING_HTTP_POST), (AWS_ACS, BINDING_PAOS)]}}},
    })
    return str(entity_descriptor(sp))


def make_idp(base_url, key, cert, folder):
    conf = Config()
    conf.load({
        "entityid": base_url + "/idp",
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(base_url + ECP_PATH, BINDING_SOAP)]},
            "policy": {"default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None}},
        }},
        "key_file": key,
        "cert_file": cert,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"inline": [aws_sp_metadata()]},
        "attribute_map_dir": None,
    })
    idp = Server(config=conf)
    idp.ident = None
    return idp


def main():
    spec = json.loads(sys.stdin.readline())
    folder = tempfile.mkdtemp(prefix="fake-saml-idp-")
    key, cert = throwaway_cert(folder)
    holder = {"okta_tokens": set(), "okta_states": {}, "adfs_contexts": set(), "adfs_auth": {}, "kc_sessions": {}}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            sys.stderr.write("fake-saml-idp: " + (fmt % args) + "\n")

        def reply(self, status, body, ctype="text/xml; charset=utf-8"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > 65536:
                raise ValueError("request too large")
            return self.rfile.read(length).decode()

        def signed_for(self, username, in_response_to):
            roles = [f"{r},{p}" for r, p in spec["roles"]]
            identity = {ATTR + "RoleSessionName": [spec.get("session_name", spec["username"])]}
            if spec.get("session_duration"):
                identity[ATTR + "SessionDuration"] = [str(spec["session_duration"])]
            if spec.get("role_form", "multi") == "multi":
                identity[ATTR + "Role"] = roles
            return signed_response(holder["idp"], identity, in_response_to, username, roles if spec.get("role_form") == "repeated" else [])

        def saml_post_page(self, signed):
            """The auto-posting page IdPs answer with (SAML HTTP-POST binding): base64 SAMLResponse to the AWS ACS."""
            b64 = base64.b64encode(signed.encode()).decode()
            return (f'<html><body onload="document.forms[0].submit()"><form method="POST" action="{AWS_ACS}">'
                    f'<input type="hidden" name="SAMLResponse" value="{html.escape(b64)}"/><input type="hidden" name="RelayState" value=""/>'
                    '<noscript><input type="submit" value="Continue"/></noscript></form></body></html>')

        def good_login(self, username, password):
            return username == spec["username"] and password == spec["password"]

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path == OKTA_APP:
                token = (query.get("sessionToken") or [""])[0]
                if token and token in holder["okta_tokens"]:
                    holder["okta_tokens"].discard(token)  # one-time, as Okta's session tokens
                    return self.reply(200, self.saml_post_page(self.signed_for(spec["username"], "_" + secrets.token_hex(16))), "text/html; charset=utf-8")
                return self.reply(200, '<html><body><form method="POST" action="/login/do-login"><input name="username"/><input type="password" name="password"/></form></body></html>', "text/html; charset=utf-8")
            if url.path == KC_CLIENT:
                return self.keycloak_login_page(secrets.token_hex(16), "")
            if url.path == ADFS_SIGN_ON and query.get("loginToRp") == [AWS_SP]:
                cookies = dict(c.strip().split("=", 1) for c in (self.headers.get("Cookie") or "").split(";") if "=" in c)
                user = holder["adfs_auth"].pop(cookies.get("MSISAuth", ""), None)
                if user is not None:
                    return self.reply(200, self.saml_post_page(self.signed_for(user, "_" + secrets.token_hex(16))), "text/html; charset=utf-8")
                context = secrets.token_hex(16)
                holder["adfs_contexts"].add(context)
                return self.adfs_login_page(context, "")
            return self.reply(404, "not found", "text/plain")

        def keycloak_login_page(self, session_id, error):
            code = secrets.token_urlsafe(12)
            holder["kc_sessions"][session_id] = code
            base = f"https://127.0.0.1:{self.server.server_address[1]}"
            action = f"{base}{KC_AUTHENTICATE}?session_code={code}&amp;execution=5e1f-fake&amp;client_id={urllib.parse.quote(AWS_SP)}&amp;tab_id=t1"
            alert = f'<div class="alert-error"><span id="input-error" class="kc-feedback-text">{html.escape(error)}</span></div>' if error else ""
            page = ('<!DOCTYPE html><html><head><title>Sign in to corp</title></head><body><div id="kc-content">' + alert +
                    f'<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="{action}" method="post">'
                    '<input tabindex="1" id="username" class="pf-c-form-control" name="username" value="" type="text" autofocus autocomplete="off"/>'
                    '<input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off"/>'
                    '<input type="hidden" id="id-hidden-input" name="credentialId"/>'
                    '<input tabindex="4" class="pf-c-button pf-m-primary" name="login" id="kc-login" type="submit" value="Sign In"/>'
                    '</form></div></body></html>')
            data = page.encode()
            self.send_response(200)
            self.send_header("Set-Cookie", f"AUTH_SESSION_ID={session_id}; Path=/realms/corp/; Secure; HttpOnly")
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def adfs_login_page(self, context, error):
            action = f"{ADFS_SIGN_ON}?loginToRp={urllib.parse.quote(AWS_SP)}&amp;client-request-id={context}"
            page = ('<html><body><div id="loginArea"><form method="post" id="loginForm" autocomplete="off" novalidate="novalidate" '
                    f'onKeyPress="if (event &amp;&amp; event.keyCode == 13) Login.submitLoginRequest();" action="{action}">'
                    f'<div id="error" class="fieldMargin error smallText"><span id="errorText" for="">{html.escape(error)}</span></div>'
                    '<input id="userNameInput" name="UserName" type="email" value="" tabindex="1" class="text fullWidth" spellcheck="false" placeholder="someone@example.com" autocomplete="off"/>'
                    '<input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth" placeholder="Password" autocomplete="off"/>'
                    '<input id="kmsiInput" type="checkbox" name="Kmsi" value="true"/>'
                    '<input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>'
                    '<span id="submitButton" class="submit" tabindex="4" role="button">Sign in</span></form></div></body></html>')
            self.send_response(200)
            self.send_header("Set-Cookie", f"MSISSamlRequest={context}; path=/adfs; HttpOnly; Secure")
            data = page.encode()
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == OKTA_AUTHN:
                try:
                    body = json.loads(self.read_body())
                except ValueError:
                    return self.reply(400, json.dumps({"errorCode": "E0000003", "errorSummary": "The request body was not well-formed."}), "application/json")
                user, password = body.get("username"), body.get("password")
                if user == spec.get("mfa_user") and password == spec["password"]:
                    state = secrets.token_hex(16)
                    holder["okta_states"][state] = user
                    base = f"https://127.0.0.1:{self.server.server_address[1]}"
                    factors = [{"id": "opf1fakepush", "factorType": "push", "provider": "OKTA", "_links": {"verify": {"href": f"{base}/api/v1/authn/factors/opf1fakepush/verify"}}}]
                    if spec.get("mfa_code"):
                        factors.append({"id": "ost1faketotp", "factorType": "token:software:totp", "provider": "GOOGLE", "_links": {"verify": {"href": f"{base}{OKTA_TOTP_VERIFY}"}}})
                    return self.reply(200, json.dumps({"status": "MFA_REQUIRED", "stateToken": state, "_embedded": {"factors": factors}}), "application/json")
                if not self.good_login(user, password):
                    return self.reply(401, json.dumps({"errorCode": "E0000004", "errorSummary": "Authentication failed", "errorCauses": []}), "application/json")
                token = secrets.token_hex(20)
                holder["okta_tokens"].add(token)
                return self.reply(200, json.dumps({"status": "SUCCESS", "sessionToken": token, "_embedded": {"user": {"profile": {"login": user}}}}), "application/json")
            if url.path == OKTA_TOTP_VERIFY:
                body = json.loads(self.read_body() or "{}")
                user = holder["okta_states"].get(body.get("stateToken"))
                if user is None:
                    return self.reply(401, json.dumps({"errorCode": "E0000011", "errorSummary": "Invalid token provided"}), "application/json")
                if body.get("passCode") != spec.get("mfa_code"):
                    return self.reply(403, json.dumps({"errorCode": "E0000068", "errorSummary": "Invalid Passcode/Answer"}), "application/json")
                del holder["okta_states"][body["stateToken"]]
                token = secrets.token_hex(20)
                holder["okta_tokens"].add(token)
                return self.reply(200, json.dumps({"status": "SUCCESS", "sessionToken": token}), "application/json")
            if url.path == KC_AUTHENTICATE:
                query = urllib.parse.parse_qs(url.query)
                cookies = dict(c.strip().split("=", 1) for c in (self.headers.get("Cookie") or "").split(";") if "=" in c)
                session_id = cookies.get("AUTH_SESSION_ID", "")
                if not session_id or holder["kc_sessions"].get(session_id) != (query.get("session_code") or [""])[0] or query.get("client_id") != [AWS_SP]:
                    return self.reply(400, "<html><body><p id=\"instruction1\">Cookie not found. Please make sure cookies are enabled in your browser.</p></body></html>", "text/html; charset=utf-8")
                form = urllib.parse.parse_qs(self.read_body(), keep_blank_values=True)
                user, password = (form.get("username") or [""])[0], (form.get("password") or [""])[0]
                if user == spec.get("mfa_user") and password == spec["password"]:
                    return self.reply(200, f'<html><body><form id="kc-otp-login-form" action="{KC_AUTHENTICATE}?session_code=x&amp;execution=otp" method="post"><input id="otp" name="otp" autocomplete="off" type="text" autofocus/><input name="login" type="submit" value="Sign In"/></form></body></html>', "text/html; charset=utf-8")
                if not self.good_login(user, password):
                    return self.keycloak_login_page(session_id, "Invalid username or password.")
                del holder["kc_sessions"][session_id]
                return self.reply(200, self.saml_post_page(self.signed_for(user, "_" + secrets.token_hex(16))), "text/html; charset=utf-8")
            if url.path == ADFS_SIGN_ON:
                query = urllib.parse.parse_qs(url.query)
                context = (query.get("client-request-id") or [""])[0]
                cookie = self.headers.get("Cookie") or ""
                # The form is tied to the context cookie of the page that served it (no cookie, no login).
                if context not in holder["adfs_contexts"] or f"MSISSamlRequest={context}" not in [c.strip() for c in cookie.split(";")]:
                    return self.reply(400, "MSIS7042: the same client browser session has made too many requests or lost its context cookie", "text/plain")
                form = urllib.parse.parse_qs(self.read_body(), keep_blank_values=True)
                if form.get("AuthMethod") != ["FormsAuthentication"]:
                    return self.reply(400, "no AuthMethod", "text/plain")
                user, password = (form.get("UserName") or [""])[0], (form.get("Password") or [""])[0]
                if user == spec.get("mfa_user") and password == spec["password"]:
                    return self.reply(200, f'<html><body><form method="post" id="options" action="{ADFS_SIGN_ON}?client-request-id={context}"><input type="hidden" name="AuthMethod" value="AzureMfaAuthentication"/><input type="hidden" name="Context" value="{context}"/></form><p id="instructions">We sent a notification to your phone.</p></body></html>', "text/html; charset=utf-8")
                if not self.good_login(user, password):
                    return self.adfs_login_page(context, "Incorrect user ID or password. Type the correct user ID and password, and try again.")
                # As AD FS does: the accepted login sets the MSISAuth cookie and redirects (302) to the
                # sign-on URL, whose GET with that cookie answers the SAMLResponse page.
                holder["adfs_contexts"].discard(context)
                auth = secrets.token_hex(16)
                holder["adfs_auth"][auth] = user
                self.send_response(302)
                self.send_header("Set-Cookie", f"MSISAuth={auth}; path=/adfs; HttpOnly; Secure")
                self.send_header("Location", f"{ADFS_SIGN_ON}?loginToRp={urllib.parse.quote(AWS_SP)}&client-request-id={context}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if url.path != ECP_PATH:
                return self.reply(404, "not found", "text/plain")
            expected = "Basic " + base64.b64encode(f"{spec['username']}:{spec['password']}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="fake-saml-idp"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            text = self.read_body()
            try:
                xml = parse_soap_enveloped_saml_thingy(text, ["{urn:oasis:names:tc:SAML:2.0:protocol}AuthnRequest"])
                req = samlp.authn_request_from_string(xml)
            except Exception as e:  # a malformed request is the client's error: SOAP fault, 400
                return self.reply(400, f"bad ECP request: {e}", "text/plain")
            envelope = ecp_envelope(holder["idp"], self.signed_for(spec["username"], req.id))
            self.reply(200, envelope, "application/vnd.paos+xml")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    base = f"https://127.0.0.1:{server.server_address[1]}"
    holder["idp"] = make_idp(base, key, cert, folder)
    with open(cert) as f:
        pem = f.read()
    print(json.dumps({"url": base + ECP_PATH, "base": base, "cert": pem}), flush=True)

    def watch_stdin():
        sys.stdin.read()
        server.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


def signed_response(idp, identity, in_response_to, username, repeated):
    """The samlp:Response for AWS, its assertion and itself signed by pysaml2 (xmlsec1, RSA-SHA256).

    Built unsigned first so that `repeated` Role attributes (one per role) can be added, then signed
    the way pysaml2 signs its own responses (pre_signature_part + signed_instance_factory).
    """
    response = idp.create_authn_response(
        identity=identity,
        in_response_to=in_response_to,
        destination=AWS_ACS,
        sp_entity_id=AWS_SP,
        name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=username),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_response=False,
        sign_assertion=False,
    )
    if isinstance(response, str):
        response = samlp.response_from_string(response)
    assertion = response.assertion[0] if isinstance(response.assertion, list) else response.assertion
    statement = assertion.attribute_statement[0] if isinstance(assertion.attribute_statement, list) else assertion.attribute_statement
    for role in repeated:
        statement.attribute.append(saml.Attribute(name=ATTR + "Role", attribute_value=do_ava(role)))
    alg = {"sign_alg": SIG_RSA_SHA256, "digest_alg": DIGEST_SHA256}
    assertion.signature = pre_signature_part(assertion.id, idp.sec.my_cert, 1, **alg)
    response.signature = pre_signature_part(response.id, idp.sec.my_cert, 1, **alg)
    return signed_instance_factory(response, idp.sec, [(class_name(assertion), assertion.id), (class_name(response), response.id)])


def ecp_envelope(idp, signed):
    """The ECP answer: SOAP envelope, ecp:Response header (pysaml2), the signed response as its body.

    The signed response is spliced in as text: re-serialising it through an element tree (which
    pysaml2 7.0.1's create_ecp_authn_request_response does, and which fails on a signed response)
    could rename namespace prefixes and break the signature.
    """
    header = str(ecp.Response(assertion_consumer_service_url=AWS_ACS, must_understand="1", actor="http://schemas.xmlsoap.org/soap/actor/next"))
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", signed)
    return (f'<S:Envelope xmlns:S="{soapenv.NAMESPACE}"><S:Header>{header}</S:Header>'
            f'<S:Body>{body}</S:Body></S:Envelope>')


if __name__ == "__main__":
    main()

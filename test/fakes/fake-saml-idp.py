"""FAKE SAML 2.0 identity provider for the aws/saml provider tests (DESIGN.md section 7).

No real IdP (Shibboleth, ADFS, Okta) can run here, so this fake serves what one serves, built with a
real SAML library (pysaml2, Debian's python3-pysaml2) and signed with xmlsec1 by a throwaway key:

* the SAML 2.0 ECP profile (OASIS "Profiles for the OASIS SAML V2.0", section 4.2, the SOAP binding):
  POST a SOAP envelope holding a samlp:AuthnRequest, authenticated with HTTP Basic; the answer is a
  SOAP envelope with an ecp:Response header and the signed samlp:Response in its body. That is
  what saml2aws's ShibbolethECP driver (used by Atmos) speaks, at Shibboleth's
  /idp/profile/SAML2/SOAP/ECP;
* the AWS attributes of the AWS IAM user guide ("Configuring SAML assertions for the
  authentication response"): Role ("role-arn,saml-provider-arn"), RoleSessionName and
  SessionDuration.

Served over HTTPS (the provider refuses plain http) with the same throwaway certificate.

Input: one JSON object on stdin: {"username", "password", "roles": [[role_arn, principal_arn], ...],
"role_form": "multi" | "repeated", "session_name", "session_duration"?}. "multi" is the usual form
(one Role attribute with one value per role); "repeated" writes one Role attribute per role, which
saml2aws also reads and which moto 5.1's AssumeRoleWithSAML can parse (it fails on a multi-valued
Role attribute). Output: one JSON line {"url", "cert"} once listening; then a log line per request on
stderr. Stops on SIGTERM or when stdin closes.
"""

import base64
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
    holder = {}

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

        def do_POST(self):
            if self.path != ECP_PATH:
                return self.reply(404, "not found", "text/plain")
            expected = "Basic " + base64.b64encode(f"{spec['username']}:{spec['password']}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="fake-saml-idp"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            text = self.rfile.read(length).decode()
            try:
                xml = parse_soap_enveloped_saml_thingy(text, ["{urn:oasis:names:tc:SAML:2.0:protocol}AuthnRequest"])
                req = samlp.authn_request_from_string(xml)
            except Exception as e:  # a malformed request is the client's error: SOAP fault, 400
                return self.reply(400, f"bad ECP request: {e}", "text/plain")
            roles = [f"{r},{p}" for r, p in spec["roles"]]
            identity = {ATTR + "RoleSessionName": [spec.get("session_name", spec["username"])]}
            if spec.get("session_duration"):
                identity[ATTR + "SessionDuration"] = [str(spec["session_duration"])]
            if spec.get("role_form", "multi") == "multi":
                identity[ATTR + "Role"] = roles
            idp = holder["idp"]
            envelope = ecp_envelope(idp, signed_response(idp, identity, req.id, spec["username"], roles if spec.get("role_form") == "repeated" else []))
            self.reply(200, envelope, "application/vnd.paos+xml")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    base = f"https://127.0.0.1:{server.server_address[1]}"
    holder["idp"] = make_idp(base, key, cert, folder)
    with open(cert) as f:
        pem = f.read()
    print(json.dumps({"url": base + ECP_PATH, "cert": pem}), flush=True)

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

"""The TLS context for index connections, shared by the urllib3 client (`http.HttpClient`) and
the light re-check of remembered pages (`revalidate`), so both trust exactly the same
certificates.

Import rule: a leaf. Imports the stdlib (ssl, only when a context is made) and satchel.errors.

    context = tls_context(cert=None, client_cert=None, verify=True)

`cert` (pip's --cert) names a CA bundle, else $SSL_CERT_FILE/$SSL_CERT_DIR, else the OS trust
store (truststore) when importable, else certifi's bundle when importable, else OpenSSL's
defaults. `client_cert` is one PEM file holding key and certificate. `verify=False` (a
--trusted-host) checks nothing.
"""

from __future__ import annotations

import importlib
import os

from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

__all__ = ["tls_context"]


def tls_context(*, cert: str | None, client_cert: str | None, verify: bool) -> ssl.SSLContext:
    import ssl

    cafile = cert or os.environ.get("SSL_CERT_FILE") or None
    capath = None if cert else os.environ.get("SSL_CERT_DIR") or None
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    elif not (cafile or capath):
        context = _default_context()
    else:
        try:
            context = ssl.create_default_context(cafile=cafile, capath=capath)
        except (OSError, ssl.SSLError) as e:
            hint = "--cert (or $SSL_CERT_FILE) names a PEM bundle of CA certificates"
            message = f"can't load the CA certificates in {cafile or capath}: {e}"
            raise UsageError(message, input=cafile or capath, hint=hint) from None
    if client_cert:
        try:
            context.load_cert_chain(client_cert)
        except (OSError, ssl.SSLError) as e:
            hint = "--client-cert names one PEM file holding the private key and the certificate"
            message = f"can't load the client certificate {client_cert}: {e}"
            raise UsageError(message, input=client_cert, hint=hint) from None
    return context


def _default_context() -> ssl.SSLContext:
    """The OS trust store (truststore), else certifi's bundle, else OpenSSL's default paths."""
    import ssl

    try:
        context: ssl.SSLContext = importlib.import_module("truststore").SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return context
    except ImportError:
        pass
    try:
        return ssl.create_default_context(cafile=importlib.import_module("certifi").where())
    except ImportError:
        return ssl.create_default_context()

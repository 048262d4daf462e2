"""A stand-in OpenID Connect provider for bench/access.sh: serves the discovery document and the
JWKS of a fresh RSA key on a loopback port, prints the issuer URL and one RS256 token (audience
dejima, roles claim dejima_roles = ["default:editor"], valid two hours), then serves until killed."""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
jwk = dict(json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), kid="bench", use="sig", alg="RS256")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith("/.well-known/openid-configuration"):
            body = {"issuer": issuer, "jwks_uri": issuer + "/certs"}
        elif self.path.endswith("/certs"):
            body = {"keys": [jwk]}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
issuer = f"http://127.0.0.1:{httpd.server_address[1]}/realms/bench"
now = int(time.time())
token = jwt.encode({"iss": issuer, "aud": "dejima", "sub": "bench", "iat": now, "exp": now + 7200,
                    "dejima_roles": ["default:editor"]}, key, algorithm="RS256", headers={"kid": "bench"})
print(issuer)
print(token)
sys.stdout.flush()
httpd.serve_forever()

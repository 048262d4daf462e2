"""A stand-in OpenID Connect provider for bench/access.sh — the e2e tests' (tests/e2e/test_oidc.py)
with one fresh RSA key: prints the issuer URL and one RS256 token (audience dejima, roles claim
dejima_roles = ["default:editor"], valid two hours), then serves until killed."""
import os
import sys
import threading
import time

import jwt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from test_oidc import Key, Provider  # noqa: E402

key = Key("rsa", "bench")
provider = Provider()
provider.keys = [key]
now = int(time.time())
token = jwt.encode({"iss": provider.issuer, "aud": "dejima", "sub": "bench", "iat": now, "exp": now + 7200,
                    "dejima_roles": ["default:editor"]}, key.private, algorithm="RS256", headers={"kid": key.kid})
print(provider.issuer)
print(token)
sys.stdout.flush()
threading.Event().wait()

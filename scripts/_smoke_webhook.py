"""Helper of prod-smoke.sh: make a throwaway RSA key + JWKS, or sign and send one webhook like Saleor."""

import json
import sys
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def make_key(workdir: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (workdir / "key.pem").write_bytes(pem)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "smoke-key", "use": "sig", "alg": "RS256"})
    (workdir / "jwks.json").write_text(json.dumps({"keys": [public]}))


def send(workdir: Path, base_url: str, api_url: str) -> None:
    key = serialization.load_pem_private_key((workdir / "key.pem").read_bytes(), password=None)
    body = json.dumps(
        {
            "__typename": "CustomerCreated",
            "issuedAt": "2026-11-22T10:00:00+00:00",
            "issuingPrincipal": None,
            "user": {"id": "VXNlcjo0Mg==", "email": "smoke@example.com", "languageCode": "EN"},
        }
    ).encode()
    signature = jwt.api_jws.encode(
        body,
        key,
        algorithm="RS256",
        headers={"kid": "smoke-key", "b64": False, "crit": ["b64"]},
        is_payload_detached=True,
    )
    response = httpx.post(
        f"{base_url}/api/webhooks/customer_created",
        content=body,
        headers={
            "Content-Type": "application/json",
            "Saleor-Event": "customer_created",
            "Saleor-Api-Url": api_url,
            "Saleor-Signature": signature,
        },
        timeout=10,
    )
    print(response.status_code, response.text)
    response.raise_for_status()


if __name__ == "__main__":
    command, workdir = sys.argv[1], Path(sys.argv[2])
    if command == "make-key":
        make_key(workdir)
    else:
        send(workdir, sys.argv[3], sys.argv[4])

"""Notifications over TLS: https:// to a real HTTPS receiver and mqtts:// to a real mosquitto with
a TLS listener, both with certificates of a test CA made here with openssl and trusted through
--notify-ca-file; an endpoint whose certificate that CA did not sign is a failed delivery."""
import json
import subprocess
import time

import requests

from mosquitto import mosquitto
from receiver import Receiver
from test_subscriptions import V1, create_bus, get_sub, subscribe


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_certificates(d):
    """A CA, a server certificate for 127.0.0.1 signed by it, and a self-signed one."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", d / "ca.key", "-out", d / "ca.pem", "-days", "2", "-subj", "/CN=Dejima test CA")
    openssl("req", *ec, "-keyout", d / "server.key", "-out", d / "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", d / "server.csr", "-CA", d / "ca.pem", "-CAkey", d / "ca.key", "-CAcreateserial",
            "-out", d / "server.pem", "-days", "2", "-extfile", d / "san.ext")
    openssl("req", "-x509", *ec, "-keyout", d / "other.key", "-out", d / "other.pem", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")


def test_https_notifications_verify_the_endpoint(start_server, tmp_path):
    make_certificates(tmp_path)
    trusted = Receiver(tls=(tmp_path / "server.pem", tmp_path / "server.key")).start()
    untrusted = Receiver(tls=(tmp_path / "other.pem", tmp_path / "other.key")).start()
    try:
        server = start_server("--notify-ca-file", str(tmp_path / "ca.pem"))
        assert trusted.url.startswith("https://")
        subscribe(server, trusted, "/tls")
        bad = subscribe(server, untrusted, "/tls")
        create_bus(server, 1, speed=42)
        [(_, _, headers, n, _)] = trusted.wait("/tls", 1)
        assert n["type"] == "Notification" and n["data"][0]["speed"]["value"] == 42
        deadline = time.time() + 10
        while time.time() < deadline and get_sub(server, bad)["notification"].get("timesFailed") != 1:
            time.sleep(0.1)
        failed = get_sub(server, bad)["notification"]
        assert failed["timesFailed"] == 1 and failed["timesSent"] == 1 and failed["status"] == "failed", failed
        assert untrusted.bodies("/tls") == []
    finally:
        trusted.stop()
        untrusted.stop()
    try:
        start_server("--notify-ca-file", str(tmp_path / "missing.pem"), data_dir=tmp_path / "other")
        raise AssertionError("started with a CA file that does not exist")
    except RuntimeError as e:
        assert "notify-ca-file" in str(e)


def test_mqtts_notifications(start_server, tmp_path):
    make_certificates(tmp_path)
    tls = f"cafile {tmp_path / 'ca.pem'}\ncertfile {tmp_path / 'server.pem'}\nkeyfile {tmp_path / 'server.key'}\n"
    with mosquitto(tmp_path, tls) as port:
        server = start_server("--notify-ca-file", str(tmp_path / "ca.pem"))
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "--cafile", str(tmp_path / "ca.pem"),
                                "-t", "dejima/#", "-C", "1", "-W", "10", "-q", "1"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        r = requests.post(server.url + V1 + "/subscriptions",
                          json={"type": "Subscription", "entities": [{"type": "Bus"}],
                                "notification": {"endpoint": {"uri": f"mqtts://127.0.0.1:{port}/dejima/tls",
                                                              "notifierInfo": [{"key": "MQTT-QoS", "value": "1"}]}}})
        assert r.status_code == 201, r.text
        create_bus(server, 7, speed=77)
        out, _ = sub.communicate(timeout=15)
        [message] = [json.loads(line) for line in out.splitlines()]
        assert message["body"]["data"][0]["speed"]["value"] == 77

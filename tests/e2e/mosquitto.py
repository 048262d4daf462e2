"""A real mosquitto broker on a free loopback port, for the MQTT notification tests."""
import contextlib
import getpass
import socket
import subprocess
import time


@contextlib.contextmanager
def mosquitto(tmp_path, extra_conf=""):
    """Starts mosquitto (plus `extra_conf` lines, e.g. a TLS listener's files) and yields its port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_path / "mosquitto.conf"
    # `user`: a broker started as root would drop to user mosquitto, who cannot read files here.
    conf.write_text(f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous true\n{extra_conf}")
    broker = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        broker.terminate()
        broker.wait()

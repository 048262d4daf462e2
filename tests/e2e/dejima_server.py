"""Starts the real `dejima` binary on a free port with a temporary data directory."""
import os
import signal
import subprocess
import time

import requests

BIN = os.environ.get("DEJIMA_BIN", os.path.join(os.path.dirname(__file__), "../../build/dev/dejima"))


class DejimaServer:
    def __init__(self, data_dir, *extra_args, env=None, auth=False):
        """auth=False runs with --auth off (the API tests); access control has its own tests."""
        self.data_dir = str(data_dir)
        self.extra_args = ([] if auth else ["--auth", "off"]) + list(extra_args)
        self.env = env or {}
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30):
        env = dict(os.environ, **self.env)
        self.proc = subprocess.Popen(
            [BIN, "serve", "--port", "0", "--data-dir", self.data_dir, "--log-level", "warn", *self.extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        deadline = time.time() + timeout
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            err = ""
            if not line:  # stdout closed: the process is exiting; wait for it to say why
                try:
                    self.proc.wait(timeout=timeout)
                    err = self.proc.stderr.read()
                except subprocess.TimeoutExpired:
                    pass
            raise RuntimeError(f"dejima did not start: {line!r} {err}")
        self.port = int(line.strip().rsplit(":", 1)[1])
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("dejima did not become healthy")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        stderr = self.proc.stderr.read()
        rc = self.proc.returncode
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc = None
        # Sanitizer reports make the process fail; surface them.
        if sig != signal.SIGKILL and (rc != 0 or "Sanitizer" in stderr or "runtime error" in stderr):
            raise AssertionError(f"dejima exited with {rc}:\n{stderr}")
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

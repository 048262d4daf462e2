import pytest

from dejima_server import DejimaServer
from receiver import Receiver


@pytest.fixture
def server(tmp_path):
    s = DejimaServer(tmp_path / "data").start()
    yield s
    s.stop()


@pytest.fixture
def start_server(tmp_path):
    """Factory for tests that restart or kill the server themselves."""
    started = []

    def start(*args, data_dir=None, **kw):
        s = DejimaServer(data_dir or (tmp_path / "data"), *args, **kw).start()
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc is not None:
            s.stop()


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()

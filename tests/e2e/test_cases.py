"""Data-driven end-to-end cases: each tests/e2e/cases/*.yaml file is a sequence of HTTP steps
(request + expected response) run against a fresh server. Expected bodies are compared exactly,
except for placeholders: "<any>" matches anything, "<datetime>" an ISO 8601 UTC timestamp.
A step may `save: {var: Header-Name}`; later steps use ${var} (and ${base}, the server URL) in
paths, headers and bodies."""
import json
import pathlib
import re

import pytest
import requests
import yaml

CASES = sorted((pathlib.Path(__file__).parent / "cases").glob("*.yaml"))
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
PROBLEM_STATUS = {
    "InvalidRequest": 400, "BadRequestData": 400, "AlreadyExists": 409, "OperationNotSupported": 422,
    "ResourceNotFound": 404, "LdContextNotAvailable": 503, "NonexistentTenant": 404, "TooManyResults": 403,
}


def matches(expected, actual, path="$"):
    """Returns None when `actual` matches `expected`, else a description of the first difference."""
    if expected == "<any>":
        return None
    if expected == "<datetime>":
        return None if isinstance(actual, str) and DATETIME.match(actual) else f"{path}: {actual!r} is not a datetime"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"
        if set(expected) != set(actual):
            return f"{path}: keys differ: expected {sorted(expected)}, got {sorted(actual)}"
        for k in expected:
            if (d := matches(expected[k], actual[k], f"{path}.{k}")) is not None:
                return d
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return f"{path}: expected {expected!r}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            if (d := matches(e, a, f"{path}[{i}]")) is not None:
                return d
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def substitute(value, variables):
    if isinstance(value, str):
        for k, v in variables.items():
            value = value.replace("${" + k + "}", v)
        return value
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def run_step(base, step, variables):
    step = substitute(step, variables)
    headers = dict(step.get("headers", {}))
    data = None
    if "body" in step:
        data = json.dumps(step["body"], ensure_ascii=False).encode()
        headers.setdefault("Content-Type", "application/json")
    elif "raw" in step:
        data = step["raw"].encode()
    resp = requests.request(step.get("method", "GET"), base + step["path"], headers=headers, data=data, timeout=10)
    exp = step["expect"]
    where = f"step '{step.get('name', step['path'])}'"
    status = exp.get("status", PROBLEM_STATUS.get(exp.get("problem")))
    assert resp.status_code == status, f"{where}: status {resp.status_code}, body {resp.text}"
    for name, value in exp.get("headers", {}).items():
        got = resp.headers.get(name)
        assert got is not None, f"{where}: header {name} missing"
        assert value == "<any>" or got == value, f"{where}: header {name} is {got!r}, expected {value!r}"
    for name in exp.get("absent_headers", []):
        assert name not in resp.headers, f"{where}: unexpected header {name}"
    if "problem" in exp:
        body = resp.json()
        assert body.get("type") == ERRORS + exp["problem"], f"{where}: problem {body}"
        assert body.get("status") == status and isinstance(body.get("title"), str), f"{where}: problem {body}"
        assert resp.headers["Content-Type"].startswith("application/json")
    if "body" in exp:
        diff = matches(exp["body"], resp.json())
        assert diff is None, f"{where}: {diff}\nfull body: {resp.text}"
    if exp.get("empty_body"):
        assert resp.content == b"", f"{where}: expected no body, got {resp.text}"
    for var, header in step.get("save", {}).items():
        variables[var] = resp.headers[header]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case, server):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    variables = {"base": server.url}
    for step in spec["steps"]:
        run_step(server.url, step, variables)

"""Data-driven end-to-end cases: each tests/e2e/cases/*.yaml file is a sequence of HTTP steps
(request + expected response) run against a fresh server. Expected bodies are compared exactly,
except for placeholders: "<any>" matches anything, "<datetime>" an ISO 8601 UTC timestamp.
`problem: Kind` expects an NGSI-LD ProblemDetails; `orion: [error, description]` expects an
NGSIv2 error body as FIWARE Orion writes it; `text:` a raw body.
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


ORION_STATUS = {"BadRequest": 400, "ParseError": 400, "NotFound": 404, "Unprocessable": 422, "PartialUpdate": 422,
                "NotAcceptable": 406, "UnsupportedMediaType": 415, "TooManyResults": 409, "InternalServerError": 500,
                "ContentLengthRequired": 411, "MethodNotAllowed": 405}


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
    if "orion" in exp and status is None:
        status = ORION_STATUS[exp["orion"][0]]
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
    if "orion" in exp:
        assert resp.json() == {"error": exp["orion"][0], "description": exp["orion"][1]}, f"{where}: {resp.text}"
        assert resp.headers["Content-Type"] == "application/json"
    if step["path"].startswith("/v2"):
        assert "Fiware-Correlator" in resp.headers, f"{where}: no Fiware-Correlator"
        if resp.status_code == 204:
            assert "Content-Length" not in resp.headers and "Content-Type" not in resp.headers, f"{where}: {resp.headers}"
    if "text" in exp:
        assert resp.text == exp["text"], f"{where}: body {resp.text!r}"
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

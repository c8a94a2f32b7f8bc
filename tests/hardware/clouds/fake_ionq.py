"""A fake IonQ REST API (v0.4) at the HTTP layer, so no test reaches ``api.ionq.co``.

:func:`install` patches ``requests.adapters.HTTPAdapter.send`` — the layer below
``qiskit-ionq``'s ``IonQClient`` — so the client's real request building, error handling
and retries, and its real result decoding, all run. Any request to another host fails the
test loudly (it is recorded in :attr:`FakeIonQ.escaped` and raises ``AssertionError``).

Results are computed independently of qiskit: the submitted JSON gate list (IonQ's
``"qis"`` format) is simulated by a small numpy state-vector simulator here, and the
probabilities are returned as IonQ does (outcome integer, qubit ``q`` = bit ``q`` → float),
for ``qiskit-ionq`` to turn into counts. A noisy simulator job (``noise.model`` other than
``"ideal"``) gets the ideal distribution mixed with 3 % white noise, sampled at the job's
shots with ``noise.seed`` (IonQ's real noise models are server-side and not modelled).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import requests
from requests.structures import CaseInsensitiveDict

HOST = "https://api.ionq.co"
NOISE = 0.03

_S2 = 1 / np.sqrt(2)
_FIXED = {
    "x": [[0, 1], [1, 0]], "y": [[0, -1j], [1j, 0]], "z": [[1, 0], [0, -1]],
    "h": [[_S2, _S2], [_S2, -_S2]], "s": [[1, 0], [0, 1j]], "si": [[1, 0], [0, -1j]],
    "t": [[1, 0], [0, np.exp(1j * np.pi / 4)]], "ti": [[1, 0], [0, np.exp(-1j * np.pi / 4)]],
    "v": [[0.5 + 0.5j, 0.5 - 0.5j], [0.5 - 0.5j, 0.5 + 0.5j]],
    "vi": [[0.5 - 0.5j, 0.5 + 0.5j], [0.5 + 0.5j, 0.5 - 0.5j]],
    "swap": [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]],
}
_PAULI = {"x": np.array([[0, 1], [1, 0]]), "y": np.array([[0, -1j], [1j, 0]]),
          "z": np.array([[1, 0], [0, -1]])}


class IonQGateError(ValueError):
    """A gate the fake (like IonQ) does not accept: answered with HTTP 400."""


def _rotation(pauli: np.ndarray, theta: float) -> np.ndarray:
    """``exp(-i theta/2 P)`` for an involutory ``P``."""
    eye = np.eye(pauli.shape[0])
    return np.cos(theta / 2) * eye - 1j * np.sin(theta / 2) * pauli


def gate_matrix(op: dict) -> tuple[np.ndarray, list[int]]:
    """The unitary of one IonQ ``qis`` instruction and its qubits (controls first)."""
    name, targets = op["gate"], [int(t) for t in op["targets"]]
    controls = [int(c) for c in op.get("controls", [])]
    if name in _FIXED:
        if "rotation" in op:
            raise IonQGateError(f"gate {name!r} takes no rotation")
        base = np.array(_FIXED[name], dtype=complex)
    elif name in ("rx", "ry", "rz"):
        base = _rotation(_PAULI[name[1]], float(op["rotation"]))
    elif name in ("xx", "yy", "zz"):
        base = _rotation(np.kron(_PAULI[name[0]], _PAULI[name[0]]), float(op["rotation"]))
    else:
        raise IonQGateError(f"unsupported gate {name!r}")
    if base.shape[0] != 2 ** len(targets):
        raise IonQGateError(f"gate {name!r} on {len(targets)} targets")
    if controls:
        size = 2 ** (len(controls) + len(targets))
        full = np.eye(size, dtype=complex)
        full[size - base.shape[0]:, size - base.shape[0]:] = base
        base = full
    return base, controls + targets


def simulate(circuit: list[dict], n: int) -> np.ndarray:
    """Outcome probabilities (index bit ``q`` = qubit ``q``) of an IonQ gate list on |0…0⟩."""
    psi = np.zeros(2 ** n, dtype=complex)
    psi[0] = 1
    for op in circuit:
        mat, qubits = gate_matrix(op)
        k = len(qubits)
        if len(set(qubits)) != k or any(not 0 <= q < n for q in qubits):
            raise IonQGateError(f"bad qubits {qubits} for {n} qubits")
        axes = [n - 1 - q for q in qubits]  # axis 0 of the tensor is the top qubit
        tensor = np.moveaxis(psi.reshape([2] * n), axes, range(k))
        shape = tensor.shape
        tensor = (mat @ tensor.reshape(2 ** k, -1)).reshape(shape)
        psi = np.moveaxis(tensor, range(k), axes).reshape(-1)
    return np.abs(psi) ** 2


class FakeIonQ:
    """The fake API's state: jobs, recorded requests and injected failures.

    Attributes:
        requests: Every request: ``{"method", "url", "headers", "json"}``.
        jobs: Job id → the stored job (its submitted payload and status).
        polls_before_done: GETs of a job answered ``ready``/``started`` before
            ``completed`` (0: done at the first look).
        escaped: URLs of requests to any other host (each also fails the test).
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.jobs: dict[str, dict[str, Any]] = {}
        self.polls_before_done = 0
        self.escaped: list[str] = []
        self._failures: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def fail_next(self, status: int, *, times: int = 1, method: str | None = None,
                  echo_key: bool = True) -> None:
        """Answer the next ``times`` requests (of ``method``) with HTTP ``status``.

        With ``echo_key`` the error body echoes the Authorization header (a hostile or
        careless server), so tests can check that qdq never repeats it.
        """
        self._failures.append({"status": status, "times": times, "method": method,
                               "echo": echo_key})

    # ------------------------------------------------------------------ transport
    def send(self, request: requests.PreparedRequest) -> requests.Response:
        """Answer one prepared request (the patched ``HTTPAdapter.send``)."""
        url = request.url or ""
        if not url.startswith(HOST + "/"):
            self.escaped.append(url)
            raise AssertionError(f"fake IonQ: a request tried to leave the test: {url}")
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        payload = json.loads(body) if body else None
        headers = dict(request.headers)
        self.requests.append({"method": request.method, "url": url, "headers": headers,
                              "json": payload})
        failure = self._take_failure(request.method)
        if failure is not None:
            key = headers.get("Authorization", "")
            message = f"invalid credentials: {key}" if failure["echo"] else "refused"
            return _response(request, failure["status"],
                             {"error": {"type": "fake_error", "message": message}})
        path = url[len(HOST):].split("?")[0]
        parts = [p for p in path.split("/") if p][1:]  # drop the API version
        try:
            return self._route(request, parts, payload)
        except IonQGateError as exc:
            return _response(request, 400, {"error": {"type": "invalid_request",
                                                      "message": str(exc)}})

    def _take_failure(self, method: str | None) -> dict | None:
        for failure in self._failures:
            if failure["method"] in (None, method) and failure["times"] > 0:
                failure["times"] -= 1
                return failure
        return None

    def _route(self, request: Any, parts: list[str], payload: Any) -> requests.Response:
        method = request.method
        if method == "GET" and parts[:1] == ["backends"] and len(parts) == 2:
            return _response(request, 200, {"backend": parts[1], "qubits": 29})
        if method == "POST" and parts == ["jobs"]:
            return _response(request, 200, self._submit(payload))
        job = self.jobs.get(parts[1]) if len(parts) >= 2 and parts[0] == "jobs" else None
        if job is None:
            return _response(request, 404, {"error": {"type": "not_found",
                                                      "message": "no such job"}})
        if method == "GET" and len(parts) == 2:
            return _response(request, 200, self._poll(job))
        if method == "PUT" and parts[2:] == ["status", "cancel"]:
            if job["status"] not in ("completed", "failed"):
                job["status"] = "canceled"
            return _response(request, 200, {"id": job["id"], "status": job["status"]})
        if method == "GET" and parts[2:] == ["results", "probabilities"]:
            return _response(request, 200, job["probabilities"])
        return _response(request, 404, {"error": {"type": "not_found", "message": "no route"}})

    # ------------------------------------------------------------------ jobs
    def _submit(self, payload: dict) -> dict:
        if payload.get("type") != "ionq.circuit.v1":
            raise IonQGateError(f"fake IonQ takes ionq.circuit.v1 only, got {payload.get('type')}")
        n = int(payload["input"]["qubits"])
        probs = simulate(payload["input"]["circuit"], n)
        noise = payload.get("noise") or {}
        if payload["backend"] != "simulator" or noise.get("model", "ideal") != "ideal":
            rng = np.random.default_rng(noise.get("seed"))
            mixed = (1 - NOISE) * probs + NOISE / probs.size
            probs = rng.multinomial(int(payload["shots"]), mixed / mixed.sum()) / payload["shots"]
        job_id = f"fake-ionq-{next(self._ids):04d}"
        self.jobs[job_id] = {
            "id": job_id, "status": "submitted", "polls": 0, "payload": payload,
            "probabilities": {str(i): float(p) for i, p in enumerate(probs) if p > 0}}
        return {"id": job_id, "status": "submitted", "request": 1}

    def _poll(self, job: dict) -> dict:
        if job["status"] in ("submitted", "ready", "started"):
            job["polls"] += 1
            job["status"] = ("completed" if job["polls"] > self.polls_before_done
                             else ("ready", "started")[min(job["polls"], 2) - 1])
        payload = job["payload"]
        out = {"id": job["id"], "status": job["status"], "type": payload["type"],
               "name": payload.get("name"), "backend": payload["backend"],
               "shots": payload["shots"], "metadata": payload.get("metadata", {}),
               "noise": payload.get("noise"), "dry_run": False}
        if job["status"] == "completed":
            out.update({
                "stats": {"qubits": payload["input"]["qubits"], "circuits": 1},
                "execution_duration_ms": 7,
                "results": {"probabilities": {
                    "url": f"/v0.4/jobs/{job['id']}/results/probabilities"}}})
        return out


def _response(request: Any, status: int, body: Any) -> requests.Response:
    res = requests.Response()
    res.status_code = status
    res._content = json.dumps(body).encode()
    res.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    res.encoding = "utf-8"
    res.request = request
    res.url = request.url
    return res


def install(monkeypatch: Any) -> FakeIonQ:
    """Route every ``requests`` call of this test to a new :class:`FakeIonQ`."""
    fake = FakeIonQ()

    def send(adapter: Any, request: Any, **kwargs: Any) -> requests.Response:
        return fake.send(request)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return fake

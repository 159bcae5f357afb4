"""Vercel's REST API on 127.0.0.1, the endpoints a deployment uses, as documented and as Vercel's client meets them.

- `POST /v2/files`: the file's bytes with `x-vercel-digest: <sha1>` and Content-Length; the server
  checks both against the body and keeps the bytes by digest (200, empty body).
- `POST /v13/deployments`: `{name, files: [{file, sha, size}], target?}`; a digest it does not hold
  is answered 400 `missing_files` with the missing digests, otherwise the new deployment (QUEUED).
- `GET /v13/deployments/{id}`: BUILDING for `builds` polls, then READY (production gets the alias
  <name>.vercel.app) or, when `outcome` says so, ERROR with an errorMessage.
- `GET /v2/user`: the token's user. Every request needs `Authorization: Bearer <token>` (403
  otherwise, as Vercel answers) and, when `team_id` is set, `?teamId=<team_id>`.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from tests.servers.rest_api import Request, RestApiServer


class VercelApi(RestApiServer):
    """A Vercel account: its uploaded files by digest, its deployments, and the outcome of the next builds."""

    thread_name = "vercel-api"
    unauthorized = (403, {"error": {"code": "forbidden", "message": "Not authorized", "invalidToken": True}})

    def __init__(self, token: str, *, team_id: str | None = None, builds: int = 2) -> None:
        super().__init__(token)
        self.team_id = team_id
        self.builds = builds
        self.outcome = "READY"  # or "ERROR": how builds started from now on end
        self.files: dict[str, bytes] = {}  # digest -> bytes
        self.uploads: list[str] = []  # every digest accepted by POST /v2/files, in order
        self.deployments: dict[str, dict[str, Any]] = {}

    def route(self, request: Request) -> tuple[int, Any]:
        if self.team_id is not None and request.query.get("teamId") != self.team_id:
            return 403, {"error": {"code": "forbidden", "message": "You don't have permission to access this team"}}
        if request.method == "POST" and request.path == "/v2/files":
            return self._upload(request)
        if request.method == "POST" and request.path == "/v13/deployments":
            return self._create(json.loads(request.body))
        if request.method == "GET" and request.path.startswith("/v13/deployments/"):
            return self._state(request.path.rsplit("/", 1)[1])
        if request.method == "GET" and request.path == "/v2/user":
            return 200, {"user": {"id": "user_1", "username": "agency"}}
        return 404, {"error": {"code": "not_found", "message": "The page could not be found"}}

    def _upload(self, request: Request) -> tuple[int, Any]:
        digest = request.headers.get("x-vercel-digest") or request.headers.get("x-now-digest")
        if not digest:
            return 400, {"error": {"code": "missing_digest", "message": "Missing `x-vercel-digest` header"}}
        if int(request.headers.get("content-length") or -1) != len(request.body):
            return 400, {"error": {"code": "invalid_size", "message": "Content-Length does not match the body"}}
        if hashlib.sha1(request.body).hexdigest() != digest:
            return 400, {"error": {"code": "incorrect_file_sha", "message": "The file's SHA does not match"}}
        with self.lock:
            self.files[digest] = request.body
            self.uploads.append(digest)
        return 200, None

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        name, files = body.get("name"), body.get("files")
        if not name or not isinstance(files, list):
            return 400, {"error": {"code": "bad_request", "message": "name and files are required"}}
        with self.lock:
            missing = sorted({f["sha"] for f in files if f["sha"] not in self.files})
            if missing:
                return 400, {"error": {"code": "missing_files", "message": "Missing files", "missing": missing}}
            for f in files:
                if len(self.files[f["sha"]]) != f["size"]:
                    return 400, {"error": {"code": "invalid_file_size", "message": f"size of {f['file']} is wrong"}}
            number = len(self.deployments) + 1
            deployment = {
                "id": f"dpl_{number}",
                "name": name,
                "url": f"{name}-{hashlib.sha1(str(number).encode()).hexdigest()[:9]}.vercel.app",
                "target": body.get("target"),  # None: a preview
                "readyState": "QUEUED",
                "alias": [],
                "aliasAssigned": None,
                "createdAt": int(time.time() * 1000),
                "files": {f["file"]: f["sha"] for f in files},
                "_polls": 0,
                "_ends": self.outcome,
            }
            self.deployments[deployment["id"]] = deployment
            return 200, self._public(deployment)

    def _state(self, deployment_id: str) -> tuple[int, Any]:
        with self.lock:
            deployment = self.deployments.get(deployment_id)
            if deployment is None:
                return 404, {"error": {"code": "not_found", "message": "Deployment not found"}}
            deployment["_polls"] += 1
            if deployment["_polls"] <= self.builds:
                deployment["readyState"] = "BUILDING"
            elif deployment["_ends"] == "ERROR":
                deployment["readyState"] = "ERROR"
                deployment["errorCode"] = "BUILD_FAILED"
                deployment["errorMessage"] = "Build failed: the static output could not be written"
            else:
                deployment["readyState"] = "READY"
                if deployment["target"] == "production":
                    deployment["alias"] = [f"{deployment['name']}.vercel.app"]
                deployment["aliasAssigned"] = int(time.time() * 1000)
            return 200, self._public(deployment)

    @staticmethod
    def _public(deployment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in deployment.items() if not k.startswith("_") and k != "files"}

    def created(self) -> list[dict[str, Any]]:
        """Every deployment created, in order (with the files each lists, path -> digest)."""
        with self.lock:
            return list(self.deployments.values())

"""Netlify's deploy API on 127.0.0.1 (file digests), as documented for deploys without a build.

- `GET /api/v1/sites?name=`, `POST /api/v1/sites` (a taken name: 422), `GET /api/v1/sites/{id or
  <name>.netlify.app}`.
- `POST /api/v1/sites/{site_id}/deploys` with `{"files": {"/path": sha1}, "draft": bool}`: the deploy,
  `required` listing the digests the account does not hold yet.
- `PUT /api/v1/deploys/{deploy_id}/files/{path}`: the file's bytes; refused unless the path is in
  the deploy and the bytes hash to its digest.
- `GET /api/v1/deploys/{id}`: `uploading` until every required file is in, then `processing` for
  `builds` polls, then `ready` (a production deploy is published) or, when `outcome` says so, `error`.
- `GET /api/v1/user`. Every request needs `Authorization: Bearer <token>` (401 otherwise).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import unquote

from tests.servers.rest_api import Request, RestApiServer


class NetlifyApi(RestApiServer):
    """A Netlify account: sites, deploys, and the file contents it holds by digest."""

    thread_name = "netlify-api"
    unauthorized = (401, {"code": 401, "message": "Access Denied: your token is invalid"})

    def __init__(self, token: str, *, builds: int = 2, taken: tuple[str, ...] = ()) -> None:
        super().__init__(token)
        self.builds = builds
        self.outcome = "ready"  # or "error": how deploys created from now on end
        self.taken = set(taken)  # site names that belong to other accounts
        self.sites: dict[str, dict[str, Any]] = {}
        self.deploys: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}  # digest -> bytes, across the account's deploys
        self.uploads: list[str] = []  # every path accepted by PUT .../files/, in order

    def route(self, request: Request) -> tuple[int, Any]:
        path, method = request.path, request.method
        if method == "GET" and path == "/api/v1/user":
            return 200, {"id": "u1", "full_name": "Agency"}
        if path == "/api/v1/sites":
            if method == "GET":
                name = request.query.get("name", "")
                return 200, [s for s in self.sites.values() if name in s["name"]]
            if method == "POST":
                return self._create_site(json.loads(request.body or b"{}"))
        if path.startswith("/api/v1/sites/") and path.endswith("/deploys") and method == "POST":
            return self._create_deploy(path.split("/")[4], json.loads(request.body))
        if path.startswith("/api/v1/sites/") and method == "GET":
            site = self._site(unquote(path.split("/")[4]))
            return (200, site) if site else (404, {"code": 404, "message": "Not Found"})
        if path.startswith("/api/v1/deploys/") and "/files/" in path and method == "PUT":
            deploy_id, _, file_path = path[len("/api/v1/deploys/") :].partition("/files/")
            return self._upload(deploy_id, "/" + unquote(file_path), request.body)
        if path.startswith("/api/v1/deploys/") and method == "GET":
            return self._state(path.rsplit("/", 1)[1])
        return 404, {"code": 404, "message": "Not Found"}

    def _site(self, ref: str) -> dict[str, Any] | None:
        return next((s for s in self.sites.values() if ref in (s["id"], f"{s['name']}.netlify.app")), None)

    def _create_site(self, body: dict[str, Any]) -> tuple[int, Any]:
        name = str(body.get("name") or "")
        with self.lock:
            if name in self.taken or any(s["name"] == name for s in self.sites.values()):
                return 422, {"code": 422, "message": "Validation failed: subdomain must be unique"}
            site_id = hashlib.sha1(name.encode()).hexdigest()[:8] + "-site"
            site = {
                "id": site_id,
                "name": name,
                "url": f"http://{name}.netlify.app",
                "ssl_url": f"https://{name}.netlify.app",
                "published_deploy": None,
            }
            self.sites[site_id] = site
            return 201, site

    def _create_deploy(self, site_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            site = self.sites.get(site_id)
            if site is None:
                return 404, {"code": 404, "message": "Not Found"}
            files = body.get("files")
            if not isinstance(files, dict) or not all(k.startswith("/") for k in files):
                return 422, {"code": 422, "message": "files must map /paths to sha1 digests"}
            required = sorted({d for d in files.values() if d not in self.blobs})
            number = len(self.deploys) + 1
            deploy = {
                "id": f"d{number:04d}",
                "site_id": site_id,
                "state": "uploading" if required else "processing",
                "required": required,
                "draft": bool(body.get("draft")),
                "url": site["url"],
                "ssl_url": site["ssl_url"],
                "deploy_url": f"http://d{number:04d}--{site['name']}.netlify.app",
                "deploy_ssl_url": f"https://d{number:04d}--{site['name']}.netlify.app",
                "error_message": None,
                "files": dict(files),
                "_polls": 0,
                "_ends": self.outcome,
            }
            self.deploys[deploy["id"]] = deploy
            return 200, self._public(deploy)

    def _upload(self, deploy_id: str, path: str, body: bytes) -> tuple[int, Any]:
        with self.lock:
            deploy = self.deploys.get(deploy_id)
            if deploy is None or path not in deploy["files"]:
                return 404, {"code": 404, "message": f"Not Found: {path} is not in deploy {deploy_id}"}
            digest = hashlib.sha1(body).hexdigest()
            if digest != deploy["files"][path]:
                return 422, {"code": 422, "message": f"SHA1 mismatch for {path}"}
            self.blobs[digest] = body
            self.uploads.append(path)
            if all(d in self.blobs for d in deploy["required"]) and deploy["state"] == "uploading":
                deploy["state"] = "processing"
            return 200, {"id": digest, "path": path, "sha": digest, "size": len(body)}

    def _state(self, deploy_id: str) -> tuple[int, Any]:
        with self.lock:
            deploy = self.deploys.get(deploy_id)
            if deploy is None:
                return 404, {"code": 404, "message": "Not Found"}
            if deploy["state"] == "processing":
                deploy["_polls"] += 1
                if deploy["_polls"] > self.builds:
                    if deploy["_ends"] == "error":
                        deploy["state"] = "error"
                        deploy["error_message"] = "Deploy did not succeed: the files could not be processed"
                    else:
                        deploy["state"] = "ready"
                        if not deploy["draft"]:
                            self.sites[deploy["site_id"]]["published_deploy"] = deploy["id"]
            return 200, self._public(deploy)

    @staticmethod
    def _public(deploy: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in deploy.items() if not k.startswith("_") and k != "files"}

    def created(self) -> list[dict[str, Any]]:
        """Every deploy created, in order (with its files, path -> digest)."""
        with self.lock:
            return list(self.deploys.values())

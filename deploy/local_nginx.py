"""A loopback copy of deploy/nginx.conf, so tests and the bench run the production recipe unprivileged.

``nginx_local_config()`` writes ``<workdir>/nginx.conf``: the recipe line for line, with only what cannot work
in a temporary folder rewritten — the listen addresses (HTTPS on ``127.0.0.1:<listen_port>``, the plain-HTTP
redirect on the UNIX socket ``<workdir>/http.sock``, the IPv6 listens dropped), the upstream port, the absolute
paths (pid, logs, cache, certificate, static and media roots, nginx's temporary folders) and the ``user``
line, plus ``daemon off;`` so the caller owns the master process. Every rewrite must find its line exactly as
often as the recipe has it, and no listen or file path of the recipe may survive unrewritten: when the recipe
changes shape this raises instead of quietly testing something else.

TLS stays on, with a self-signed certificate made by ``openssl`` in the workdir: the site is then measured
and tested as it runs in production (X-Forwarded-Proto https, SECURE_SSL_REDIRECT and secure cookies on,
HTTP/2 offered), not through a plain-HTTP variant that production never serves. Clients connect to
``https://127.0.0.1:<listen_port>/`` with ``Host: news.example.cn`` (``SERVER_NAME``) and skip certificate
verification; SNI is not needed.

Run it with ``nginx_command(config)``; test it with ``nginx_command(config, "-t")``, or check the recipe from a
shell with ``python -m deploy.local_nginx`` (a copy in a temporary folder, then ``nginx -t``). No Django import.
"""

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

RECIPE = Path(__file__).resolve().with_name("nginx.conf")
HTTP_SOCKET = "http.sock"
CERTIFICATE = "selfsigned.crt"
CERTIFICATE_KEY = "selfsigned.key"
# Read by the recipe, not written by it: allowed to stay absolute in the copy.
SYSTEM_FILES = ("/etc/nginx/mime.types",)
# Directives whose argument is a file or folder: in the copy each must point into the workdir.
PATH_DIRECTIVES = (
    "pid", "error_log", "access_log", "ssl_certificate", "ssl_certificate_key", "ssl_trusted_certificate",
    "ssl_dhparam", "ssl_password_file", "ssl_client_certificate", "proxy_cache_path", "alias", "root", "include",
    "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path",
    "lock_file", "load_module", "auth_basic_user_file",
)  # fmt: skip
TEMP_PATH_DIRECTIVES = ("client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path",
                        "scgi_temp_path")  # fmt: skip


def _server_name() -> str:
    names = re.findall(r"^\s*server_name\s+([^\s;]+);", RECIPE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    named = sorted({name for name in names if name != "_"})
    if len(named) != 1:
        raise RecipeChanged(f"expected one site name in {RECIPE}, found {named}")
    return named[0]


class RecipeChanged(RuntimeError):
    """deploy/nginx.conf no longer has the lines the loopback copy rewrites: update this module with it."""


class _Rule:
    def __init__(self, pattern: str, count: int, replace: Callable[[re.Match], str]):
        self.pattern = re.compile(pattern)
        self.count = count
        self.replace = replace
        self.found = 0


def nginx_local_config(
    *, workdir: Path, listen_port: int, upstream_port: int, static_root: Path | None = None,
    media_root: Path | None = None,
) -> Path:
    """Write ``<workdir>/nginx.conf``, the loopback copy of the recipe, and return its path.

    ``static_root`` and ``media_root`` default to empty ``static`` and ``media`` folders in the workdir. The
    certificate is made once per workdir; the micro-cache lives in ``<workdir>/cache`` and survives a restart
    of nginx, so a cold-cache measurement wants a fresh workdir. Raises ``RecipeChanged`` when deploy/nginx.conf lacks a line this
    copy must rewrite, or has a listen address or file path it does not know how to move.
    """
    workdir = Path(workdir).resolve()
    static_root = Path(static_root).resolve() if static_root else workdir / "static"
    media_root = Path(media_root).resolve() if media_root else workdir / "media"
    for folder in (workdir, workdir / "tmp", static_root, media_root):
        folder.mkdir(parents=True, exist_ok=True)
    _self_signed_certificate(workdir)

    https = f"127.0.0.1:{listen_port}"
    http = f"unix:{workdir / HTTP_SOCKET}"
    # As root the workers would otherwise drop to nobody and could not read a private temporary folder.
    user = "user root;" if os.geteuid() == 0 else "# user: the workers run as the invoking user"
    # nginx creates these at start even when nothing is buffered; the compiled-in ones are root's.
    temp_paths = "".join(f"\n    {name} {workdir / 'tmp' / name.removesuffix('_temp_path')};" for name in TEMP_PATH_DIRECTIVES)
    rules = [
        _Rule(r"^user\s+\S+(\s+\S+)?;$", 1, lambda m: user),
        _Rule(r"^pid\s+/\S+;$", 1, lambda m: f"pid {workdir / 'nginx.pid'};\ndaemon off;"),
        _Rule(r"^error_log\s+/\S+(?P<rest>(\s+\w+)?);$", 1, lambda m: f"error_log {workdir / 'error.log'}{m['rest']};"),
        _Rule(r"^access_log\s+/\S+(?P<rest>(\s+\S+)*);$", 1,
              lambda m: f"access_log {workdir / 'access.log'}{m['rest']};"),
        _Rule(r"^http \{$", 1, lambda m: "http {" + temp_paths),
        _Rule(r"^ssl_certificate\s+/\S+;$", 1, lambda m: f"ssl_certificate {workdir / CERTIFICATE};"),
        _Rule(r"^ssl_certificate_key\s+/\S+;$", 1, lambda m: f"ssl_certificate_key {workdir / CERTIFICATE_KEY};"),
        _Rule(r"^proxy_cache_path\s+/\S+(?P<rest>\s.*);$", 1,
              lambda m: f"proxy_cache_path {workdir / 'cache'}{m['rest']};"),
        _Rule(r"^server\s+127\.0\.0\.1:\d+(?P<rest>(\s+\S+)*);$", 1,
              lambda m: f"server 127.0.0.1:{upstream_port}{m['rest']};"),
        _Rule(r"^listen\s+80(?P<rest>(\s+\S+)*);$", 1, lambda m: f"listen {http}{m['rest']};"),
        _Rule(r"^listen\s+443(?P<rest>(\s+\S+)*);$", 2, lambda m: f"listen {https}{m['rest']};"),
        _Rule(r"^listen\s+\[::\]:(80|443)(\s+\S+)*;$", 3, lambda m: "# IPv6 listen: loopback copy serves 127.0.0.1 only"),
        _Rule(r"^alias\s+/srv/pingcheng/staticfiles/;$", 1, lambda m: f"alias {static_root}/;"),
        _Rule(r"^alias\s+/srv/pingcheng/media/;$", 1, lambda m: f"alias {media_root}/;"),
    ]
    lines = []
    for line in RECIPE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        for rule in rules:
            match = rule.pattern.match(stripped)
            if match:
                rule.found += 1
                lines.extend(indent + part for part in rule.replace(match).split("\n"))
                break
        else:
            lines.append(line)
    wrong = [f"{rule.pattern.pattern!r}: {rule.found} of {rule.count}" for rule in rules if rule.found != rule.count]
    if wrong:
        raise RecipeChanged(f"{RECIPE} no longer has the lines its loopback copy rewrites: {'; '.join(wrong)}")
    text = "\n".join(lines) + "\n"
    _refuse_what_stayed_outside(text, workdir, allowed=(workdir, static_root, media_root))
    config = workdir / "nginx.conf"
    config.write_text(text, encoding="utf-8")
    return config


def nginx_command(config: Path, *arguments: str) -> list[str]:
    """The command line that runs (or, with ``"-t"``, checks) a loopback copy in the foreground."""
    config = Path(config)
    # -e: the log nginx writes before it has read the file (some builds default to /var/log/nginx/error.log).
    return ["nginx", "-e", str(config.parent / "error.log"), "-c", str(config), *arguments]


def _refuse_what_stayed_outside(text: str, workdir: Path, *, allowed: tuple[Path, ...]) -> None:
    for line in text.splitlines():
        words = line.split("#", 1)[0].strip().rstrip(";").split()
        if not words:
            continue
        if words[0] == "listen" and not (words[1].startswith("127.0.0.1:") or words[1] == f"unix:{workdir / HTTP_SOCKET}"):
            raise RecipeChanged(f"the loopback copy would listen on {words[1]}: add a rewrite for it")
        if words[0] in PATH_DIRECTIVES and len(words) > 1 and words[1].startswith("/"):
            path = words[1]
            if path not in SYSTEM_FILES and not any(Path(path).is_relative_to(folder) for folder in allowed):
                raise RecipeChanged(f"the loopback copy would use {path} ({words[0]}): add a rewrite for it")


def _self_signed_certificate(workdir: Path) -> None:
    certificate, key = workdir / CERTIFICATE, workdir / CERTIFICATE_KEY
    if certificate.exists() and key.exists():
        return
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "30", "-subj", f"/CN={SERVER_NAME}", "-addext", f"subjectAltName=DNS:{SERVER_NAME}",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


SERVER_NAME = _server_name()


def main() -> int:
    """``nginx -t`` on a loopback copy written to a temporary folder; nginx's verdict and exit status."""
    with tempfile.TemporaryDirectory(prefix="pingcheng-nginx-") as folder:
        config = nginx_local_config(workdir=Path(folder), listen_port=8443, upstream_port=8000)
        return subprocess.run(nginx_command(config, "-t"), timeout=60).returncode


if __name__ == "__main__":
    sys.exit(main())

"""The repository works as a lone clone: nothing in the product or its tests reads a folder beside it."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCANNED = ("articles", "campaigns", "grievances", "pingcheng", "tests", "bench", "deploy", "templates")
# A path that climbs out of the repository, or names the sibling ``shared`` folder of the development setup.
OUTSIDE = re.compile(r"""parents\[(?:[3-9]|\d{2,})\]|["']\.\./shared|["']shared["']\s*[/,)]""")


def test_no_source_file_reaches_outside_the_repository():
    offenders = []
    for folder in SCANNED:
        for path in (REPO / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt", ".cfg", ".conf", ".sh"} or "vendor" in path.parts:
                continue
            if path == Path(__file__):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if OUTSIDE.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "files reading outside the repository:\n" + "\n".join(offenders)

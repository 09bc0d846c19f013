"""What counts as a resident's personal data in text that leaves the database: log lines, error pages, exports.

One rule, used by the test suite's log check (``tests/conftest.py``) and available to anything that must
refuse or mask such text:

* a mainland mobile number (``1[3-9]`` and nine more digits, optionally after +86), not inside a longer run of
  digits — a millisecond timestamp or a row id is not a phone number — nor inside a UUID or a hex token: a
  Celery task id such as ``…-9549-b16940022739`` carries eleven digits between letters about once in 3,000;
* an e-mail address whose local part is shown (``z***@example.com``, the masked form, is not one) —
  staff are named in logs by their username, never by their address;
* the name of a demo resident (``RESIDENT_DEMO_NAMES``). Names cannot be recognised by a pattern, so demo
  data and tests give residents (inquirers, subscribers, campaign participants) names from this list, and
  the check looks for exactly these. Staff and contributors have other names and may be logged.

The contact patterns are the ones log lines are masked with (``pingcheng.chinese.EMAIL_RE`` and ``MOBILE_RE``),
so the check finds exactly what masking would have hidden. No Django settings needed: the log check imports
this before Django is set up.
"""

import re

from pingcheng.chinese import EMAIL_RE, MOBILE_RE

# Demo residents. Products that store residents' names use these in their demo data and tests.
RESIDENT_DEMO_NAMES: tuple[str, ...] = ("孙桂兰", "郭建平", "林秀英", "何淑珍", "胡德顺", "杨翠花")

_NAMES = re.compile("|".join(map(re.escape, RESIDENT_DEMO_NAMES)))
# Identifiers that are random hex: a UUID (task ids, tracking keys) and a bare run of 32 or more hex digits.
# Bounded runs on purpose: linear in the text, as the contact patterns are.
_HEX_IDS = re.compile(
    r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{32,128})(?![0-9A-Fa-f])"
)


def personal_data_in(text: str) -> list[str]:
    """The pieces of ``text`` that identify a resident under the rule above, in order; empty if none."""
    if not text:
        return []
    # Same length, so positions (and the order of what is found) are unchanged.
    text = _HEX_IDS.sub(lambda match: "#" * len(match.group()), text)
    found = [(m.start(), m.group()) for pattern in (MOBILE_RE, EMAIL_RE, _NAMES) for m in pattern.finditer(text)]
    return [piece for _start, piece in sorted(found)]

"""Streams: what a product lets residents follow besides units, such as the newsroom's sections (栏目).

The platform knows a stream only by its key (a short string the product defines, e.g. ``section:3``) and its
label. A product registers, from its ``AppConfig.ready()``, a function listing its streams; the subscription
pages offer them, a subscription stores the key (``Subscription.stream``), and the product names the streams of
an event when it tells subscribers (``audience.subscribers_notify(streams=…)``). So this app never imports a
product, and a product's section can be followed without the platform knowing what a section is.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pingcheng.notices.models import Topic


@dataclass(frozen=True)
class StreamSource:
    name: str
    topic: str
    choices: Callable[[], list[tuple[str, str]]]


_sources: dict[str, StreamSource] = {}


def stream_source_register(name: str, *, topic: str, choices: Callable[[], list[tuple[str, str]]]) -> None:
    """``choices()`` returns ``(key, label)`` for each stream a resident may follow now; its events are of
    ``topic`` (a subscription to a stream is a subscription to that topic there)."""
    if topic not in Topic.values:
        raise ValueError(f"Unknown topic {topic!r} for stream source {name!r}")
    _sources[name] = StreamSource(name=name, topic=topic, choices=choices)


def stream_choices() -> list[tuple[str, str]]:
    """Every stream a resident may follow now, as ``(key, label)``, in the sources' own order."""
    return [choice for source in _sources.values() for choice in source.choices()]


def stream_topics(keys) -> dict[str, str]:
    """The topic of each known key among ``keys``; a key no source lists any more is left out."""
    wanted = set(keys)
    if not wanted:
        return {}
    return {key: source.topic for source in _sources.values() for key, _label in source.choices() if key in wanted}


def stream_label(key: str) -> str:
    """The label of a stream as its source lists it now; the key itself for one no source lists any more."""
    return dict(stream_choices()).get(key, key)

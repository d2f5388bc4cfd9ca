from typing import Any, Callable, Iterator

def clean_articles(
    lines: Iterator[bytes],
    loads: Callable[[bytes], Any],
    loads_error: type[Exception],
    fields: tuple[str, str, str, str, str, str],
    seen: dict[str, int],
    dates: dict[str, Any],
    build: Callable[..., Any],
    check: Callable[[Any], Any] | None,
    general: Callable[[bytes, Any, int, int], Any],
    refused: object,
    big_float: float,
) -> Iterator[Any]: ...

"""atheris target: retold._ext.text (tokenize, fold_stream)."""
import atheris

from _driver import call, run, text


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    t = text(fdp, 400)
    call("text", "tokenize", lambda: (t,))
    call("text", "fold_stream", lambda: (t,))


if __name__ == "__main__":
    run(one_input)

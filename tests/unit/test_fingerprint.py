import ast
from pathlib import Path

from orchestration.lib import normalise

LIB = Path(normalise.__file__).parent
# modules the extractor imports that decide nothing of its output: how many threads run it, and where the
# lookup files are (their contents are in the fingerprint through the lookups' digest)
NOT_OUTPUT = {"pool", "paths"}


def lib_imports(module: str) -> set[str]:
    """The orchestration.lib modules `module` imports."""
    found = set()
    for node in ast.walk(ast.parse((LIB / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "orchestration.lib":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("orchestration.lib."):
            found.add(node.module.rsplit(".", 1)[1])
    return found


def test_the_fingerprint_covers_every_module_the_extractor_runs() -> None:
    """A change to any of them must re-extract the warehouse; one left out (as lookups.py once was) would
    leave rows extracted by the old code beside rows extracted by the new."""
    seen, todo = set(), ["extract"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(lib_imports(module))
    assert seen - NOT_OUTPUT <= set(normalise.EXTRACTOR_SOURCES)
    assert "lookups" in seen  # the walk follows the imports it should

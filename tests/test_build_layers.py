"""The build core's modules import only from their own or earlier layers (docs/design.md)."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
LAYERS = [
    {"errors", "model"},
    {"config", "frontmatter", "markdown", "scripts", "related", "urls"},
    {"articles", "site", "pages", "contexts", "templates", "feeds", "render"},
    {"sources", "output", "cache", "workers"},
    {"build"},
]
LAYER_OF = {name: n for n, names in enumerate(LAYERS) for name in names}


def generator_imports(module: str) -> set[str]:
    """Names of generator modules imported by generator/<module>.py."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "generator":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("generator."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("generator.")}
    return found


@pytest.mark.parametrize("module", sorted(LAYER_OF))
def test_imports_point_up_the_layers(module):
    wrong = {name for name in generator_imports(module)
             if name in LAYER_OF and LAYER_OF[name] > LAYER_OF[module]}
    assert not wrong, f"generator.{module} imports from a later layer: {sorted(wrong)}"

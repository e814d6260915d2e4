"""docs/design.md's module map lists the package as it is: every core/ and io/ module by name,
every other folder and top-level module, and no module that is gone."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "generator"
DATA_FOLDERS = {"starter", "workflows", "themes", "rules"}
LISTED_BY_NAME = {"core", "io"}  # the layers whose every module has a line of its own


def map_lines() -> list[str]:
    """The lines of the map's code block in docs/design.md."""
    text = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    return text.split("## Module map", 1)[1].split("```", 2)[1].splitlines()


def map_entries() -> set[str]:
    """What the map lists: `folder/`, `name.py` at the top, `folder/name.py` in core/ and io/."""
    entries, folder = set(), ""
    for line in map_lines():
        top = re.match(r"  (\w+/|\w+\.py)\s", line)
        if top:
            folder = top.group(1) if top.group(1).endswith("/") else ""
            entries.add(top.group(1))
        if folder in {f"{name}/" for name in LISTED_BY_NAME} and not top:
            # a module's line, or its continuation, may name a sibling ("phrases.py"); a path
            # elsewhere ("io/config.py", "tools/x.py") is not an entry of this folder
            entries |= {folder + name for name in re.findall(r"(?<![\w/])(\w+\.py)\b", line)}
    return entries


def package_modules() -> set[str]:
    """What the map must list, by the same rules."""
    wanted = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if DATA_FOLDERS & set(parts) or parts == ("__init__.py",):
            continue
        if len(parts) == 1:
            wanted.add(parts[0])
        elif parts[0] in LISTED_BY_NAME and parts[-1] != "__init__.py":
            wanted.add(f"{parts[0]}/{parts[-1]}")
        else:
            wanted.add(parts[0] + "/")
    return wanted


def test_the_module_map_lists_every_module_and_folder():
    entries = map_entries()
    assert sorted(package_modules() - entries - {"__main__.py"}) == []
    assert "__main__.py" in " ".join(map_lines())


def test_the_module_map_lists_nothing_that_is_gone():
    assert sorted(map_entries() - package_modules()) == []

"""Write generator/core/shared_chars.py from the OpenCC dictionaries shipped with the wheel.

A "shared" character is one OpenCC's character dictionary lists as its own counterpart too:
余 is the Simplified form of 餘 and also a Traditional character (the surname), so 余 in a
Traditional text may be right; 们 is only Simplified. Own-script normalisation
(generator/core/residue.py) converts a shared character only where a phrase says so.

Usage: python tools/make_script_tables.py   (needs the opencc wheel's opencc_dict binary)
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import opencc

REPO = Path(__file__).resolve().parent.parent
SHARE = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
TOOL = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
OUT = REPO / "generator" / "core" / "shared_chars.py"


def dictionary(name: str) -> dict[str, list[str]]:
    """One OpenCC .ocd2 dictionary as {key: candidates}."""
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / f"{name}.txt"
        subprocess.run([str(TOOL), "-i", str(SHARE / f"{name}.ocd2"), "-o", str(text),
                        "-f", "ocd2", "-t", "text"], check=True, capture_output=True)
        lines = text.read_text(encoding="utf-8").splitlines()
    return {k: v.split(" ") for k, v in (line.split("\t", 1) for line in lines if "\t" in line)}


def shared(*names: str) -> str:
    """Keys of the dictionaries that are also one of their own candidates, sorted."""
    found = set()
    for name in names:
        found |= {k for k, values in dictionary(name).items() if k in values}
    return "".join(sorted(found))


def module_text(tables: dict[str, str]) -> str:
    """generator/core/shared_chars.py: the tables as a Python literal (core reads no file)."""
    def chunked(text: str, width: int = 60) -> str:
        return "\n".join(f'        "{text[i:i + width]}"' for i in range(0, len(text), width))
    head = OUT.read_text(encoding="utf-8").split("SHARED_CHARS = {")[0]
    return (head + "SHARED_CHARS = {\n"
            "    # Simplified characters that are also Traditional ones (towards hant)\n"
            f'    "hant": (\n{chunked(tables["hant"])}\n    ),\n'
            "    # Traditional characters that are also Simplified ones (towards hans)\n"
            f'    "hans": (\n{chunked(tables["hans"])}\n    ),\n}}\n')


def main() -> None:
    tables = {"hant": shared("STCharacters"), "hans": shared("TSCharacters", "TSCharactersExt")}
    OUT.write_text(module_text(tables), encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: hant {len(tables['hant'])}, hans {len(tables['hans'])}")


if __name__ == "__main__":
    main()

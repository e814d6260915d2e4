"""Fast equivalents used while parsing: NFKC on Chinese prose, script detection with memory."""
import unicodedata

import pytest

from generator.core.articles import nfkc
from generator.stages.parse import ScriptDetector
from generator.io.converters import open_converter


@pytest.mark.parametrize("text", [
    "", "plain ascii", "華為，第一季度（同比）增長：３５％！", "全角\u3000空格",
    "ｆｕｌｌ\u0301 combining after a fullwidth letter", "ﬁ ligature ① circled Ⅻ", "ｶﾞ halfwidth kana",
    "Ａ\u030a ring", "ＡＢＣ１２３～",
])
def test_nfkc_equals_unicodedata(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@pytest.fixture(scope="module")
def converter():
    return open_converter()


@pytest.mark.parametrize("text", [
    "", "abc", "臺灣的發展", "台湾的发展", "發展 发展", "后 後 台", "華為第一季度營收增長，国内市场",
])
@pytest.mark.parametrize("default", ["hant", "hans", None])
def test_detector_answers_like_detect_script(converter, text, default):
    assert ScriptDetector(converter, default)(text) == converter.detect_script(text, default)


def test_detector_asks_once_per_character():
    asked = []

    class Counting:
        def detect_script(self, text, default=None):
            asked.append(text)
            return {"發": "hant", "发": "hans"}.get(text, default)

    detect = ScriptDetector(Counting(), "hant")
    assert detect("發發发展") == "hant"
    assert detect("发发發展") == "hans"
    assert detect("發发") == "hant"  # a tie gives the default
    assert sorted(asked) == sorted(["發", "发", "展"])

"""The README's Python code blocks run as written, in order, as one session."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_python_blocks_run(capsys):
    assert len(BLOCKS) >= 2
    namespace = {"__name__": "__readme__"}
    for block in BLOCKS:
        exec(compile(block, str(README), "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    # The quickstart prints the cross-validated accuracy of tf-idf + pretrained vectors, then
    # that of word2vec trained on the folds, then the nearest words of "funny".
    assert 0.6 < float(printed[1]) < float(printed[0]) <= 1.0
    assert printed[2].startswith("[(")

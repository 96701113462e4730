"""The README's quickstart runs as written and prints what it says."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_opens_with_the_install_and_test_commands():
    blocks = re.findall(r"```(\w+)\n(.*?)```", README.read_text(), flags=re.S)
    assert [lang for lang, _ in blocks[:2]] == ["sh", "sh"]
    assert "mlpkit demo" in blocks[0][1] and "pytest" in blocks[1][1]


def test_readme_examples_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    code = blocks[0]
    printed = capsys.readouterr().out
    first_line = printed.splitlines()[0]
    assert first_line == re.search(r"print\(net\.predict.*# (\[.*\])", code).group(1)

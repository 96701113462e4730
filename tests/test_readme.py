"""The README's quickstart runs as written and prints what it says."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_opens_with_the_install_and_test_commands():
    blocks = re.findall(r"```(\w+)\n(.*?)```", README.read_text(), flags=re.S)
    assert [lang for lang, _ in blocks[:2]] == ["sh", "sh"]
    assert "mlpkit demo" in blocks[0][1] and "pytest" in blocks[1][1]


def test_readme_quickstart_runs(capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(), flags=re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    first_line = printed.splitlines()[0]
    assert first_line == re.search(r"print\(net\.predict.*# (\[.*\])", code).group(1)

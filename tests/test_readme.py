"""The README stays true: front door, every setting, the generated protocol reference, a runnable SDK example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from parley.config import ENV_DOCS, env_table
from parley.protocol_doc import render

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_first_lines_give_make_run_and_make_test():
    head = "\n".join(README.splitlines()[:6])
    assert "make run" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_setting_is_documented_and_every_documented_setting_exists():
    used = set()
    for path in (ROOT / "src" / "parley").rglob("*.py"):
        used |= set(re.findall(r'_env\("([A-Z0-9_]+)"', path.read_text()))
    assert {f"PARLEY_{name}" for name in used} == set(ENV_DOCS)
    block = README.split("<!-- config:begin", 1)[1].split("-->", 1)[1].split("<!-- config:end -->")[0]
    assert block.strip() == env_table().strip(), "paste parley.config.env_table() into README.md"


def test_protocol_reference_is_generated_from_the_models():
    block = README.split("<!-- protocol:begin", 1)[1].split("-->", 1)[1].split("<!-- protocol:end -->")[0]
    assert block.strip() == render().strip(), "run `python -m parley.protocol_doc` and paste it into README.md"


def test_sdk_example_runs_against_a_real_server(server_factory, tmp_path):
    proc = server_factory()
    code = README.split("## The Python SDK", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    script = tmp_path / "example.py"
    script.write_text(code.replace("http://127.0.0.1:8000", proc.url))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['hi bob']",
        "[('team', 1), ('Alice', 1)]",
        "Alice said hello team",
    ]

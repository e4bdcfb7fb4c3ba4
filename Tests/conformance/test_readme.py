"""The README's worked example, run as written (only the endpoint changes), so the docs cannot rot."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_worked_example_runs(emulator):
    text = README.read_text()
    code = re.search(r"\*\*A worked example\*\*.*?```python\n(.*?)```", text, re.S).group(1)
    assert "127.0.0.1:8080" in code
    namespace = {}
    exec(compile(code.replace("127.0.0.1:8080", emulator.endpoint), "README.md example", "exec"), namespace)
    try:
        namespace["test_backup_completes"]()
    finally:
        emulator.control("POST", "/_emulator/clock", {"reset": True})


def test_the_instance_lifecycle_example_runs(emulator):
    text = README.read_text()
    code = re.search(r"\*\*An instance lifecycle example\*\*.*?```python\n(.*?)```", text, re.S).group(1)
    assert "127.0.0.1:8080" in code
    namespace = {}
    exec(compile(code.replace("127.0.0.1:8080", emulator.endpoint), "README.md lifecycle example", "exec"), namespace)
    try:
        namespace["test_an_instance_lives"]()
    finally:
        emulator.control("POST", "/_emulator/clock", {"reset": True})


def test_the_automatic_backups_example_runs(emulator):
    text = README.read_text()
    setup = re.search(r"\*\*A worked example\*\*.*?```python\n(.*?)def test_", text, re.S).group(1)
    code = re.search(r"\*\*Automatic backups, a worked example\*\*.*?```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile((setup + code).replace("127.0.0.1:8080", emulator.endpoint), "README.md example", "exec"), namespace)
    try:
        namespace["test_automatic_backups"]()
    finally:
        emulator.control("POST", "/_emulator/clock", {"reset": True})

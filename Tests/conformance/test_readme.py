"""The README's examples, run as written (only the endpoint changes), so the docs cannot rot."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_after(heading, text, end="```"):
    """The first Python block after the bold `heading`, up to `end`."""
    return re.search(r"\*\*" + re.escape(heading) + r"\*\*.*?```python\n(.*?)" + end, text, re.S).group(1)


def run_example(emulator, heading, function, setup_from=None):
    """Runs README's `function` from the block after `heading` (after the imports and set-up of the block after
    `setup_from`, for an example that reuses them), then resets the clock the example may have moved."""
    text = README.read_text()
    code = (python_after(setup_from, text, end="def test_") if setup_from else "") + python_after(heading, text)
    assert "127.0.0.1:8080" in code
    namespace = {}
    exec(compile(code.replace("127.0.0.1:8080", emulator.endpoint), f"README.md {heading}", "exec"), namespace)
    try:
        namespace[function]()
    finally:
        emulator.control("POST", "/_emulator/clock", {"reset": True})


def test_the_worked_example_runs(emulator):
    run_example(emulator, "A worked example", "test_backup_completes")


def test_the_instance_lifecycle_example_runs(emulator):
    run_example(emulator, "An instance lifecycle example", "test_an_instance_lives")


def test_the_automatic_backups_example_runs(emulator):
    run_example(emulator, "Automatic backups, a worked example", "test_automatic_backups",
                setup_from="A worked example")


def test_the_readme_verification_example_runs(emulator):
    run_example(emulator, "Verifying what a client sent", "test_client_retries_once_after_backup_job_exists")

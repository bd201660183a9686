import subprocess
import sys


def test_info_prints_versions():
    out = subprocess.run([sys.executable, "-m", "mlpkit.cli", "info"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("mlpkit ") and "numpy" in out

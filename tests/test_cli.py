import subprocess
import sys


def test_info_prints_versions():
    out = subprocess.run([sys.executable, "-m", "mlpkit.cli", "info"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("mlpkit ") and "numpy" in out


def test_python_dash_m_mlpkit_is_the_console_script():
    out = subprocess.run([sys.executable, "-m", "mlpkit", "grade", "04", "--list-checks"],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("assignment 04 (") and "dW1" in out
    bad = subprocess.run([sys.executable, "-m", "mlpkit", "no-such-command"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr

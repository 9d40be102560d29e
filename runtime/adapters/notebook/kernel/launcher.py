"""The kernel of a sparkplane notebook: sets up its environment, then becomes an IPython kernel.

The Jupyter Kernel Gateway runs it with the Spark virtual environment's Python and the
KERNEL_SPARKPLANE_* variables the runtime sent (see runtime/adapters/notebook/kernel-env.ts):
  KERNEL_SPARKPLANE_ENV   JSON object: variables set before the kernel starts (driver.envVars,
                          the client's KERNEL_VAR_<NAME> as <NAME>)
  KERNEL_SPARKPLANE_LOG   file that takes the kernel's and its Spark driver's stdout and stderr
  KERNEL_SPARKPLANE_CONF  JSON object: the SparkSession's settings (read by startup.py)
  KERNEL_SPARKPLANE_REMOTE  sc:// address of the notebook's Spark Connect server in its cluster,
                          when there is one: `spark` is then its client (read by startup.py)
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    os.environ.update(json.loads(os.environ.get("KERNEL_SPARKPLANE_ENV", "{}")))
    # Spark binds every socket to loopback: the runtime is the only way in
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    log = os.environ.get("KERNEL_SPARKPLANE_LOG")
    if log:
        # the JVM's log lines go to the driver log, not into the notebook's cells
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    args = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        *sys.argv[1:],
        "--IPKernelApp.capture_fd_output=False",
        "--IPKernelApp.exec_files=" + os.path.join(HERE, "startup.py"),
    ]
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main()

"""Which machine a measurement came from: CPU model, logical CPUs, threads used, torch version,
load.

Standard library only (the torch version is read from the installed package's metadata), so that
benchmarks of the torch-free CLI can report the machine too.
"""

from __future__ import annotations

import os

from ..core.record import Record

#: An environment variable that, when set, names the CPU :func:`cpu_model` reports: the tests use it
#: to run the command line as on another machine (a calibration made on a foreign CPU).
CPU_MODEL_VARIABLE = "MNETCALC_CPU_MODEL"


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else what ``platform`` knows
    (``$MNETCALC_CPU_MODEL``, if set, instead: for tests)."""
    pretended = os.environ.get(CPU_MODEL_VARIABLE)
    if pretended:
        return pretended
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform  # imported here: ~1 ms of start-up that only this fallback needs

    return platform.processor() or platform.machine() or "unknown CPU"


#: Instruction-set extensions that decide how fast float32, bfloat16 and int8 inference can be, as
#: ``/proc/cpuinfo`` names them: 256/512-bit vectors, int8 dot products (VNNI), bf16 dot products,
#: and the AMX matrix units.
ISA_FLAGS = (
    "avx2",
    "avx512f",
    "avx_vnni",
    "avx512_vnni",
    "avx512_bf16",
    "amx_bf16",
    "amx_int8",
)


def isa_flags() -> tuple[str, ...]:
    """Which of :data:`ISA_FLAGS` this CPU has (Linux ``/proc/cpuinfo``; empty where unknown)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    present = set(line.split(":", 1)[1].split())
                    return tuple(flag for flag in ISA_FLAGS if flag in present)
    except OSError:
        pass
    return ()


def package_version(name: str) -> str | None:
    # imported here: importlib.metadata takes ~20 ms to import, and the torch-free command line
    # (table --latency, choose) needs only cpu_model()
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> float | None:
    """The 1-minute load average (how busy the machine was), or None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


class MachineInfo(Record):
    """The machine of one measurement: ``cpu``, ``logical_cpus``, ``threads`` used, versions,
    ``load_average`` (1-minute, when the measurement ended) and ``isa`` (which of
    :data:`ISA_FLAGS` the CPU has)."""

    __slots__ = (
        "cpu",
        "logical_cpus",
        "threads",
        "torch_version",
        "python_version",
        "load_average",
        "isa",
    )

    def __init__(
        self,
        cpu: str,
        logical_cpus: int,
        threads: int,
        torch_version: str | None,
        python_version: str,
        load_average: float | None,
        isa: tuple[str, ...] = (),
    ):
        self._set(
            cpu=cpu,
            logical_cpus=logical_cpus,
            threads=threads,
            torch_version=torch_version,
            python_version=python_version,
            load_average=load_average,
            isa=isa,
        )

    @classmethod
    def current(cls, threads: int) -> MachineInfo:
        import platform

        return cls(
            cpu=cpu_model(),
            logical_cpus=os.cpu_count() or 1,
            threads=threads,
            torch_version=package_version("torch"),
            python_version=platform.python_version(),
            load_average=load_average(),
            isa=isa_flags(),
        )

    def describe(self) -> str:
        load = f", load average {self.load_average:g}" if self.load_average is not None else ""
        torch = f", torch {self.torch_version}" if self.torch_version else ""
        isa = f" ({' '.join(self.isa)})" if self.isa else ""
        return (
            f"{self.cpu}{isa}, {self.logical_cpus} logical CPUs, "
            f"{self.threads} thread(s) used{torch}, "
            f"Python {self.python_version}{load}"
        )

    def to_dict(self) -> dict:
        return {**self.fields(), "isa": list(self.isa)}

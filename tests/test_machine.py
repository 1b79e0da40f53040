"""mnetcalc.latency_model.machine without torch: the machine record that every timing carries."""

import pytest

from mnetcalc.latency_model.machine import ISA_FLAGS, MachineInfo, cpu_model, isa_flags


def test_machine_info_is_a_record_written_as_json_keys():
    info = MachineInfo("Test CPU", 8, 2, None, "3.11.7", 0.5, ("avx2", "avx512f"))
    assert info.to_dict() == {
        "cpu": "Test CPU",
        "logical_cpus": 8,
        "threads": 2,
        "torch_version": None,
        "python_version": "3.11.7",
        "load_average": 0.5,
        "isa": ["avx2", "avx512f"],
    }
    assert info == MachineInfo("Test CPU", 8, 2, None, "3.11.7", 0.5, isa=("avx2", "avx512f"))
    assert info.replace(threads=1).threads == 1 and info.threads == 2
    with pytest.raises(AttributeError):
        info.threads = 4
    assert MachineInfo("x", 1, 1, None, "3", None).isa == ()


def test_current_reads_this_machine():
    info = MachineInfo.current(threads=3)
    assert info.cpu == cpu_model() and info.threads == 3 and info.logical_cpus >= 1
    assert info.isa == isa_flags() and set(info.isa) <= set(ISA_FLAGS)

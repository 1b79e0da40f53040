"""Shared test fixtures."""

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """Run a module's torch work on one thread: the answers are the same, and on a busy 2-core machine
    two OpenMP threads that wait for each other at every layer make the suite several times slower.
    (Opt in with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.)"""
    torch = pytest.importorskip("torch")
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)

"""Everything that needs torch: building the PyTorch model of a spec and preparing it for
inference (``model``, from the modules of ``layer_modules``), counting it
with fvcore (``counting``), timing it (``latency``, ``roofline``; against a reference network:
``reference``), the inference engines and precisions (``runners``, ``engines``, ``precision``),
calibrating the latency model (``calibrate``, with ``samples``, ``fitting`` and ``heldout``), and
training on Fashion-MNIST (``data``, ``train``). Import the submodules explicitly; the rest of
mnetcalc never imports this package at its top level."""

"""The networks, one module each, named like the network (``mobilenet_v1``, ``vgg16``, ...): its
configuration class, its spec, its input limits and what the papers print about it. The list of
them is :mod:`mnetcalc.networks.registry`; the building blocks they share are in
:mod:`mnetcalc.core`. Importing this package imports none of them."""

"""Benchmarking areas fairly (layer ``benchmark``): the framework-condition model (expected vs
actual), empirical-Bayes shrinkage of the gaps, confidence sets for ranks, and peer groups.
The statistics (:mod:`.model`, :mod:`.shrink`, :mod:`.ranks`, :mod:`.peers`) are pure functions
on arrays; :mod:`.run` reads the warehouse and publishes through the disclosure engine.
See docs/benchmark.md.
"""

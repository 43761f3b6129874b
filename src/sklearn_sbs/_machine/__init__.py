"""SpikingBoltzmannMachine and its parts, one job per module (see _estimator)."""

from ._estimator import SpikingBoltzmannMachine

__all__ = ["SpikingBoltzmannMachine"]
